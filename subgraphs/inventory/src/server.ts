import { type BaseContext, createSubgraphServer, type Logger, loadTypeDefs } from "@storefront/service";
import type { InventoryContext } from "./context.ts";
import type { PrismaClient } from "./data/generated/client.ts";
import { createInventoryLoaders } from "./data/loaders.ts";
import { createStockStore } from "./data/stock-store.ts";
import { createInventoryHandlers } from "./events/handlers.ts";
import { resolvers } from "./resolvers/index.ts";

export interface InventoryDeps {
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  readonly production: boolean;
}

export const typeDefs = loadTypeDefs(new URL("../schema.graphql", import.meta.url));

/** The inventory subgraph: its Apollo server, how to build a request's context, and its event handlers. */
export function createInventorySubgraph({ prisma, logger, production }: InventoryDeps) {
  const store = createStockStore(prisma);
  return {
    apollo: createSubgraphServer<InventoryContext>({ name: "inventory", typeDefs, resolvers, logger, production }),
    context: (base: BaseContext): InventoryContext => ({ ...base, store, loaders: createInventoryLoaders(store) }),
    handlers: createInventoryHandlers({ logger }),
  };
}
