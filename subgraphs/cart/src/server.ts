import { type BaseContext, createSubgraphServer, type Logger, loadTypeDefs } from "@storefront/service";
import type { CartContext } from "./context.ts";
import { createCartStore } from "./data/cart-store.ts";
import type { PrismaClient } from "./data/generated/client.ts";
import { createCartLoaders } from "./data/loaders.ts";
import { resolvers } from "./resolvers/index.ts";

export interface CartDeps {
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  readonly production: boolean;
}

export const typeDefs = loadTypeDefs(new URL("../schema.graphql", import.meta.url));

/** The cart subgraph: its Apollo server and how to build a request's context. */
export function createCartSubgraph({ prisma, logger, production }: CartDeps) {
  const store = createCartStore(prisma);
  return {
    apollo: createSubgraphServer<CartContext>({ name: "cart", typeDefs, resolvers, logger, production }),
    context: (base: BaseContext): CartContext => ({ ...base, store, loaders: createCartLoaders(store) }),
  };
}
