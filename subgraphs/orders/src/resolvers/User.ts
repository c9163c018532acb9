import { requireSelfOrAdmin } from "@storefront/auth";
import { connectionFrom, pageRequest } from "@storefront/service";
import type { UserResolvers } from "../generated/resolvers-types.ts";

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  async orders(user, args, { store, loaders, viewer }) {
    requireSelfOrAdmin(viewer, user.id);
    const page = pageRequest(args);
    const { rows, totalCount } = await store.ordersPageOfUser(user.id, page);
    for (const row of rows) loaders.orderById.prime(row.id, row);
    return connectionFrom(rows, page, (order) => order.id, totalCount);
  },
};
