import type { OutboxSignal } from "@storefront/runtime";
import { type BaseContext, createEntitiesClient, createSubgraphServer, type Logger, loadTypeDefs } from "@storefront/service";
import { createCatalogClient } from "./clients/catalog.ts";
import type { OrdersContext } from "./context.ts";
import type { PrismaClient } from "./data/generated/client.ts";
import { createOrderLoaders } from "./data/loaders.ts";
import { createOrderStore } from "./data/order-store.ts";
import { createOrderEventHandlers } from "./events/handlers.ts";
import { resolvers } from "./resolvers/index.ts";

export interface OrdersDeps {
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  readonly production: boolean;
  readonly outbox: OutboxSignal;
  readonly subgraphUrls: Readonly<Record<string, string>>;
}

export const typeDefs = loadTypeDefs(new URL("../schema.graphql", import.meta.url));

/** The orders subgraph: its Apollo server, how to build a request's context, and its reactions to payment events. */
export function createOrdersSubgraph({ prisma, logger, production, outbox, subgraphUrls }: OrdersDeps) {
  const store = createOrderStore(prisma);
  const catalogUrl = subgraphUrls.catalog;
  if (!catalogUrl) throw new Error("orders needs the catalog subgraph's URL (CATALOG_URL)");
  const catalog = createCatalogClient(createEntitiesClient({ url: catalogUrl }));
  return {
    apollo: createSubgraphServer<OrdersContext>({ name: "orders", typeDefs, resolvers, logger, production }),
    context: (base: BaseContext): OrdersContext => ({ ...base, store, catalog, outbox, loaders: createOrderLoaders(store) }),
    handlers: createOrderEventHandlers({ logger }),
  };
}
