import { connectionFrom, pageRequest } from "@storefront/service";
import type { QueryResolvers } from "../generated/resolvers-types.ts";

export const Query: QueryResolvers = {
  user: (_parent, { id }, { loaders }) => loaders.userById.load(id),

  async users(_parent, args, { store, loaders }) {
    const page = pageRequest(args);
    const { rows, totalCount } = await store.usersPage(page);
    for (const row of rows) loaders.userById.prime(row.id, row);
    return connectionFrom(rows, page, (user) => user.id, totalCount);
  },
};
