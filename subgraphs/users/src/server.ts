import { type BaseContext, createSubgraphServer, type Logger, loadTypeDefs } from "@storefront/service";
import type { UsersContext } from "./context.ts";
import type { PrismaClient } from "./data/generated/client.ts";
import { createUserLoaders } from "./data/loaders.ts";
import { createUserStore } from "./data/user-store.ts";
import { resolvers } from "./resolvers/index.ts";

export interface UsersDeps {
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  readonly production: boolean;
}

export const typeDefs = loadTypeDefs(new URL("../schema.graphql", import.meta.url));

/** The users subgraph: its Apollo server and how to build a request's context. */
export function createUsersSubgraph({ prisma, logger, production }: UsersDeps) {
  const store = createUserStore(prisma);
  return {
    apollo: createSubgraphServer<UsersContext>({ name: "users", typeDefs, resolvers, logger, production }),
    context: (base: BaseContext): UsersContext => ({ ...base, store, loaders: createUserLoaders(store) }),
  };
}
