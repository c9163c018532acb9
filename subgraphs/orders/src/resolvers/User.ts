import { requireSelfOrAdmin } from "@storefront/auth";
import { pageRequest } from "@storefront/service";
import { orderConnection } from "../data/loaders.ts";
import type { UserResolvers } from "../generated/resolvers-types.ts";

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  async orders(user, args, { store, loaders, viewer }) {
    requireSelfOrAdmin(viewer, user.id);
    const page = pageRequest(args);
    return orderConnection(loaders, page, await store.ordersPageOfUser(user.id, page));
  },
};
