import type { OutboxSignal } from "@storefront/runtime";
import { type BaseContext, createSubgraphServer, type Logger, loadTypeDefs } from "@storefront/service";
import type { CatalogContext } from "./context.ts";
import { createCatalogStore } from "./data/catalog-store.ts";
import type { PrismaClient } from "./data/generated/client.ts";
import { createCatalogLoaders } from "./data/loaders.ts";
import { catalogEventHandlers } from "./events/availability.ts";
import { resolvers } from "./resolvers/index.ts";

export interface CatalogDeps {
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  readonly production: boolean;
  /** Wakes the outbox relay once a change and its catalog.* event have committed. */
  readonly outbox: OutboxSignal;
}

export const typeDefs = loadTypeDefs(new URL("../schema.graphql", import.meta.url));

/** The catalog subgraph: its Apollo server, how to build a request's context, and its event handlers (availability). */
export function createCatalogSubgraph({ prisma, logger, production, outbox }: CatalogDeps) {
  const store = createCatalogStore(prisma, outbox);
  return {
    apollo: createSubgraphServer<CatalogContext>({ name: "catalog", typeDefs, resolvers, logger, production }),
    context: (base: BaseContext): CatalogContext => ({ ...base, store, loaders: createCatalogLoaders(store) }),
    handlers: catalogEventHandlers,
  };
}
