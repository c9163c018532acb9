import { subtotalOf } from "../domain/cart-rules.ts";
import type { CartResolvers } from "../generated/resolvers-types.ts";

export const Cart: CartResolvers = {
  // A cart that was never stored has no items: no query for it.
  items: (cart, _args, { loaders }) => (cart.updatedAt ? loaders.itemsByCartId.load(cart.id) : []),
  itemCount: async (cart, _args, { loaders }) => {
    if (!cart.updatedAt) return 0;
    const items = await loaders.itemsByCartId.load(cart.id);
    return items.reduce((sum, item) => sum + item.quantity, 0);
  },
  subtotal: async (cart, _args, { loaders }) => {
    if (!cart.updatedAt) return null;
    const items = await loaders.itemsByCartId.load(cart.id);
    const products = await Promise.all(items.map((item) => loaders.productById.load(item.productId)));
    return subtotalOf(items.map((item, index) => ({ quantity: item.quantity, product: products[index] ?? null })));
  },
};
