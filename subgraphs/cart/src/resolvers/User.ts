import { requireSelfOrAdmin, serviceScopes } from "@storefront/auth";
import type { UserResolvers } from "../generated/resolvers-types.ts";

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  // Only the user themself, an admin, or the checkout (scope cart:read): a customer never sees another customer's cart.
  cart: (user, _args, { viewer, loaders }) => {
    requireSelfOrAdmin(viewer, user.id, serviceScopes.readCarts);
    return loaders.cartByUserId.load(user.id);
  },
};
