import { isPurchasable } from "../domain/cart-rules.ts";
import { lineTotal } from "../domain/money.ts";
import type { CartItemResolvers } from "../generated/resolvers-types.ts";

// Prices are the catalog's, looked up now (batched over every line of every cart in the response).
export const CartItem: CartItemResolvers = {
  product: (item) => ({ id: item.productId }),
  unitPrice: async (item, _args, { loaders }) => (await loaders.productById.load(item.productId))?.price ?? null,
  lineTotal: async (item, _args, { loaders }) => {
    const product = await loaders.productById.load(item.productId);
    return product ? lineTotal(product.price, item.quantity) : null;
  },
  purchasable: async (item, _args, { loaders }) => isPurchasable(await loaders.productById.load(item.productId)),
};
