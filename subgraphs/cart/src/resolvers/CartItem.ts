import type { CartItemResolvers } from "../generated/resolvers-types.ts";

export const CartItem: CartItemResolvers = {
  product: (item) => ({ id: item.productId }),
};
