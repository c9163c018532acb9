import { fileURLToPath } from "node:url";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { defineSubgraph } from "@storefront/runtime";
import { PrismaClient } from "./data/generated/client.ts";
import { createOrdersSubgraph } from "./server.ts";

/** The orders subgraph: orders, their price snapshots and status history; publishes order events. */
export const ordersSubgraph = defineSubgraph({
  name: "orders",
  defaultPort: 4005,
  schemaDir: fileURLToPath(new URL("../../../prisma/orders", import.meta.url)),
  publishesEvents: true,
  createPrisma: (adapter: SqlDriverAdapterFactory) => new PrismaClient({ adapter }),
  create: (deps) => createOrdersSubgraph(deps),
});
export { ordersSettingsShape } from "./env.ts";
