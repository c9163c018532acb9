import type { OrderItemResolvers } from "../generated/resolvers-types.ts";

export const OrderItem: OrderItemResolvers = {
  product: (item) => ({ id: item.productId }),
  unitPrice: (item) => ({ amount: item.unitPriceAmount, currency: item.currency }),
  lineTotal: (item) => ({ amount: item.unitPriceAmount * item.quantity, currency: item.currency }),
};
