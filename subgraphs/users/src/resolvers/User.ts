import type { UserResolvers } from "../generated/resolvers-types.ts";

export const User: UserResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.userById.load(reference.id),
};
