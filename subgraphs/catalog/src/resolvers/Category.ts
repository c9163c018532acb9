import type { CategoryResolvers } from "../generated/resolvers-types.ts";

export const Category: CategoryResolvers = {
  parent: (category, _args, { loaders }) => (category.parentId ? loaders.categoryById.load(category.parentId) : null),
  children: (category, _args, { loaders }) => loaders.childrenOfCategory.load(category.id),
  ancestors: (category, _args, { loaders }) => loaders.ancestorsOfCategory.load(category.id),
  path: async (category, _args, { loaders }) => [...(await loaders.ancestorsOfCategory.load(category.id)), category],
};
