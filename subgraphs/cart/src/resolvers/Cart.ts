import type { CartResolvers } from "../generated/resolvers-types.ts";

export const Cart: CartResolvers = {
  items: (cart, _args, { loaders }) => (cart.updatedAt ? loaders.itemsByCartId.load(cart.id) : []),
  itemCount: async (cart, _args, { loaders }) => {
    if (!cart.updatedAt) return 0;
    const items = await loaders.itemsByCartId.load(cart.id);
    return items.reduce((sum, item) => sum + item.quantity, 0);
  },
};
