import { requireAdmin, requireViewer } from "@storefront/auth";
import { pageRequest } from "@storefront/service";
import { orderConnection } from "../data/loaders.ts";
import { assertMaySeeOrder } from "../domain/access.ts";
import type { QueryResolvers } from "../generated/resolvers-types.ts";

export const Query: QueryResolvers = {
  async order(_parent, { id }, { loaders, viewer }) {
    requireViewer(viewer);
    const order = await loaders.orderById.load(id);
    if (order) assertMaySeeOrder(viewer, order);
    return order;
  },

  async orders(_parent, args, { store, loaders, viewer }) {
    requireAdmin(viewer);
    const page = pageRequest(args);
    // an empty list of statuses matches no order: answered without asking the database
    const statuses = args.filter?.status ?? null;
    return orderConnection(loaders, page, statuses?.length === 0 ? { rows: [], totalCount: 0 } : await store.ordersPage(statuses, page));
  },
};
