import { ErrorCode } from "@storefront/errors";
import { connectionFrom, pageRequest } from "@storefront/service";
import type { QueryResolvers } from "../generated/resolvers-types.ts";

export const Query: QueryResolvers = {
  product(_parent, { id, sku }, { loaders }) {
    if ((id == null) === (sku == null)) {
      throw ErrorCode.BAD_USER_INPUT.err("Give exactly one of `id` or `sku`.");
    }
    return id != null ? loaders.productById.load(id) : loaders.productBySku.load(sku as string);
  },

  async products(_parent, args, { store, loaders }) {
    const page = pageRequest(args);
    const { rows, totalCount } = await store.activeProductsPage(page);
    for (const row of rows) loaders.productById.prime(row.id, row);
    return connectionFrom(rows, page, (product) => product.id, totalCount);
  },

  categories: (_parent, _args, { store }) => store.topLevelCategories(),
};
