import { fileURLToPath } from "node:url";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { defineSubgraph } from "@storefront/runtime";
import { PrismaClient } from "./data/generated/client.ts";
import { createPaymentsSubgraph } from "./server.ts";

/** The payments subgraph: what each order owes and every attempt to pay it. */
export const paymentsSubgraph = defineSubgraph({
  name: "payments",
  defaultPort: 4006,
  schemaDir: fileURLToPath(new URL("../../../prisma/payments", import.meta.url)),
  // Its outbox is empty until payment mutations publish payment.* events; the relay runs already.
  publishesEvents: true,
  createPrisma: (adapter: SqlDriverAdapterFactory) => new PrismaClient({ adapter }),
  create: (deps) => createPaymentsSubgraph(deps),
});
export type { PrismaClient as PaymentsPrisma } from "./data/generated/client.ts";
