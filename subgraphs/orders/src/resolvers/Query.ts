import { requireViewer } from "@storefront/auth";
import { assertMaySeeOrder } from "../domain/access.ts";
import type { QueryResolvers } from "../generated/resolvers-types.ts";

export const Query: QueryResolvers = {
  async order(_parent, { id }, { loaders, viewer }) {
    requireViewer(viewer);
    const order = await loaders.orderById.load(id);
    if (order) assertMaySeeOrder(viewer, order);
    return order;
  },
};
