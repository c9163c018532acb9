import { fileURLToPath } from "node:url";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { defineSubgraph } from "@storefront/runtime";
import { PrismaClient } from "./data/generated/client.ts";
import { seedDemoStock } from "./data/seed.ts";
import { createInventorySubgraph } from "./server.ts";

/** The inventory subgraph: stock per product, reservations per order, and the stock movement ledger. */
export const inventorySubgraph = defineSubgraph({
  name: "inventory",
  defaultPort: 4003,
  schemaDir: fileURLToPath(new URL("../../../prisma/inventory", import.meta.url)),
  // every stock change writes inventory.availability_changed.v1 to the outbox (src/events/availability.ts)
  publishesEvents: true,
  createPrisma: (adapter: SqlDriverAdapterFactory) => new PrismaClient({ adapter }),
  create: (deps) => createInventorySubgraph(deps),
  seedDemo: seedDemoStock,
});
export type { PrismaClient as InventoryPrisma } from "./data/generated/client.ts";
export { inventorySettingsShape } from "./env.ts";
