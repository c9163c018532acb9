import { availableUnits, inventoryOf } from "../domain/stock.ts";
import type { ProductResolvers } from "../generated/resolvers-types.ts";

export const Product: ProductResolvers = {
  // Whether a product exists is the catalog's to say: here any id resolves, and one never stocked has zero stock.
  __resolveReference: (reference) => ({ id: reference.id }),
  inventory: async (product, _args, { loaders }) => inventoryOf(await loaders.stockLevelByProductId.load(product.id)),
  inStock: async (product, _args, { loaders }) => availableUnits(inventoryOf(await loaders.stockLevelByProductId.load(product.id))) > 0,
};
