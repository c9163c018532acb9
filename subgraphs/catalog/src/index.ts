import { fileURLToPath } from "node:url";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { defineSubgraph } from "@storefront/runtime";
import { PrismaClient } from "./data/generated/client.ts";
import { seedDemoCatalog } from "./data/seed.ts";
import { createCatalogSubgraph } from "./server.ts";

/** The catalog subgraph: products, categories and prices. */
export const catalogSubgraph = defineSubgraph({
  name: "catalog",
  defaultPort: 4002,
  schemaDir: fileURLToPath(new URL("../../../prisma/catalog", import.meta.url)),
  // catalog.product_changed and catalog.category_changed: caches of catalog answers drop them when they arrive
  publishesEvents: true,
  createPrisma: (adapter: SqlDriverAdapterFactory) => new PrismaClient({ adapter }),
  create: (deps) => createCatalogSubgraph(deps),
  seedDemo: seedDemoCatalog,
});
export type { PrismaClient as CatalogPrisma } from "./data/generated/client.ts";
