import type { QueryResolvers } from "../generated/resolvers-types.ts";
import { signedInUser } from "./viewer.ts";

export const Query: QueryResolvers = {
  cart: (_parent, _args, { viewer, loaders }) => loaders.cartByUserId.load(signedInUser(viewer).userId),
};
