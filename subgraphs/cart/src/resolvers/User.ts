import { emptyCart } from "../domain/empty-cart.ts";
import type { UserResolvers } from "../generated/resolvers-types.ts";

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  cart: async (user, _args, { loaders }) => (await loaders.cartByUserId.load(user.id)) ?? emptyCart(user.id),
};
