import { fileURLToPath } from "node:url";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { defineSubgraph } from "@storefront/runtime";
import { PrismaClient } from "./data/generated/client.ts";
import { seedDemoCarts } from "./data/seed.ts";
import { createCartSubgraph } from "./server.ts";

/** The cart subgraph: one cart per user and its items, priced from the catalog; empties what was ordered on order.placed. */
export const cartSubgraph = defineSubgraph({
  name: "cart",
  defaultPort: 4004,
  schemaDir: fileURLToPath(new URL("../../../prisma/cart", import.meta.url)),
  publishesEvents: false,
  createPrisma: (adapter: SqlDriverAdapterFactory) => new PrismaClient({ adapter }),
  create: (deps) => createCartSubgraph(deps),
  seedDemo: seedDemoCarts,
});
export type { PrismaClient as CartPrisma } from "./data/generated/client.ts";
