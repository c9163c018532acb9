import type { OrderStatusChangeResolvers } from "../generated/resolvers-types.ts";

export const OrderStatusChange: OrderStatusChangeResolvers = {
  from: (change) => change.fromStatus,
  to: (change) => change.toStatus,
  at: (change) => change.createdAt,
};
