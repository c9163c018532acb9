import { type BaseContext, createEntitiesClient, createSubgraphServer, type Logger, loadTypeDefs } from "@storefront/service";
import { createCatalogClient } from "./clients/catalog.ts";
import { createInventoryClient } from "./clients/inventory.ts";
import type { CartContext } from "./context.ts";
import { createCartStore } from "./data/cart-store.ts";
import type { PrismaClient } from "./data/generated/client.ts";
import { createCartLoaders } from "./data/loaders.ts";
import { createCartHandlers } from "./events/handlers.ts";
import { resolvers } from "./resolvers/index.ts";

export interface CartDeps {
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  readonly production: boolean;
  readonly subgraphUrls: Readonly<Record<string, string>>;
}

export const typeDefs = loadTypeDefs(new URL("../schema.graphql", import.meta.url));

function urlOf(subgraphUrls: Readonly<Record<string, string>>, name: "catalog" | "inventory"): string {
  const url = subgraphUrls[name];
  if (!url) throw new Error(`cart needs the ${name} subgraph's URL (${name.toUpperCase()}_URL)`);
  return url;
}

/** The cart subgraph: its Apollo server, how to build a request's context, and its event handlers. */
export function createCartSubgraph({ prisma, logger, production, subgraphUrls }: CartDeps) {
  const store = createCartStore(prisma);
  // Prices and stock are asked for on every request, never stored here.
  const catalog = createCatalogClient(createEntitiesClient({ service: "catalog", url: urlOf(subgraphUrls, "catalog") }));
  const inventory = createInventoryClient(createEntitiesClient({ service: "inventory", url: urlOf(subgraphUrls, "inventory") }));
  return {
    apollo: createSubgraphServer<CartContext>({ name: "cart", typeDefs, resolvers, logger, production }),
    context: (base: BaseContext): CartContext => ({
      ...base,
      store,
      loaders: createCartLoaders({ store, catalog, inventory, requestId: base.requestId }),
    }),
    handlers: createCartHandlers({ logger }),
  };
}
