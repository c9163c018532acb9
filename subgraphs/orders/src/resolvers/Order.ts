import type { OrderResolvers } from "../generated/resolvers-types.ts";

export const Order: OrderResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.orderById.load(reference.id),
  customer: (order) => ({ id: order.userId }),
  items: (order, _args, { loaders }) => loaders.itemsOfOrder.load(order.id),
  subtotal: (order) => ({ amount: order.subtotalAmount, currency: order.currency }),
  total: (order) => ({ amount: order.totalAmount, currency: order.currency }),
  statusHistory: (order, _args, { loaders }) => loaders.historyOfOrder.load(order.id),
};
