import { requireAdmin } from "@storefront/auth";
import { connectionFrom, pageRequest } from "@storefront/service";
import { availableUnits, inventoryOf } from "../domain/stock.ts";
import type { ProductResolvers } from "../generated/resolvers-types.ts";

export const Product: ProductResolvers = {
  // Whether a product exists is the catalog's to say: here any id resolves, and one never stocked has zero stock.
  __resolveReference: (reference) => ({ id: reference.id }),
  inventory: async (product, _args, { loaders }) => inventoryOf(await loaders.stockLevelByProductId.load(product.id)),
  inStock: async (product, _args, { loaders }) => availableUnits(inventoryOf(await loaders.stockLevelByProductId.load(product.id))) > 0,
  async stockMovements(product, args, { viewer, loaders }) {
    requireAdmin(viewer);
    const page = pageRequest(args);
    const [rows, totalCount] = await Promise.all([
      loaders.movementPage.load({ productId: product.id, ...page }),
      loaders.movementCountByProductId.load(product.id),
    ]);
    return connectionFrom(rows, page, (movement) => movement.id, totalCount);
  },
};
