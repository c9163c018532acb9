import type { OutboxSignal } from "@storefront/runtime";
import { type BaseContext, createEntitiesClient, createSubgraphServer, type Logger, loadTypeDefs } from "@storefront/service";
import { createCatalogClient } from "./clients/catalog.ts";
import type { InventoryContext } from "./context.ts";
import type { PrismaClient } from "./data/generated/client.ts";
import { createInventoryLoaders } from "./data/loaders.ts";
import { createReservations } from "./data/reservations.ts";
import { createStockChanges } from "./data/stock-changes.ts";
import { createStockStore } from "./data/stock-store.ts";
import { createInventoryHandlers } from "./events/handlers.ts";
import { resolvers } from "./resolvers/index.ts";

export interface InventoryDeps {
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  readonly production: boolean;
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** Wakes the outbox relay after a commit that wrote availability events. */
  readonly outbox: OutboxSignal;
}

export const typeDefs = loadTypeDefs(new URL("../schema.graphql", import.meta.url));

/** The inventory subgraph: its Apollo server, how to build a request's context, and its event handlers. */
export function createInventorySubgraph({ prisma, logger, production, subgraphUrls, outbox }: InventoryDeps) {
  const store = createStockStore(prisma);
  const stockChanges = createStockChanges(prisma, outbox);
  const reservations = createReservations(prisma, outbox);
  const catalog = subgraphUrls.catalog ? createCatalogClient(createEntitiesClient({ url: subgraphUrls.catalog })) : null;
  return {
    apollo: createSubgraphServer<InventoryContext>({ name: "inventory", typeDefs, resolvers, logger, production }),
    context: (base: BaseContext): InventoryContext => ({
      ...base,
      store,
      stockChanges,
      reservations,
      catalog,
      loaders: createInventoryLoaders(store),
    }),
    handlers: createInventoryHandlers({ logger }),
  };
}
