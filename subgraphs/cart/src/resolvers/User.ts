import { requireSelfOrAdmin } from "@storefront/auth";
import type { UserResolvers } from "../generated/resolvers-types.ts";

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  // Only the user themself or an admin: a customer never sees another customer's cart.
  cart: (user, _args, { viewer, loaders }) => {
    requireSelfOrAdmin(viewer, user.id);
    return loaders.cartByUserId.load(user.id);
  },
};
