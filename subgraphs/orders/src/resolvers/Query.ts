import type { QueryResolvers } from "../generated/resolvers-types.ts";

export const Query: QueryResolvers = {
  order: (_parent, { id }, { loaders }) => loaders.orderById.load(id),
};
