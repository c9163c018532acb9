import { fileURLToPath } from "node:url";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { defineSubgraph } from "@storefront/runtime";
import { PrismaClient } from "./data/generated/client.ts";
import { createSimulatorLedger } from "./data/simulator-ledger.ts";
import { paymentsSettingsFromEnv } from "./env.ts";
import { createSimulatedPaymentProvider } from "./providers/simulator.ts";
import { createPaymentsSubgraph } from "./server.ts";

/** The payments subgraph: what each order owes and every attempt to pay it. */
export const paymentsSubgraph = defineSubgraph({
  name: "payments",
  defaultPort: 4006,
  schemaDir: fileURLToPath(new URL("../../../prisma/payments", import.meta.url)),
  publishesEvents: true,
  createPrisma: (adapter: SqlDriverAdapterFactory) => new PrismaClient({ adapter }),
  create: (deps) => {
    const settings = paymentsSettingsFromEnv();
    // The built-in provider is the simulator (test cards in providers/simulator.ts); a real one implements domain/provider.ts.
    const provider = createSimulatedPaymentProvider({
      ledger: createSimulatorLedger(deps.prisma),
      timeoutMs: settings.PAYMENT_SIMULATOR_TIMEOUT_MS,
    });
    return createPaymentsSubgraph({ ...deps, provider, settings });
  },
});
export type { PrismaClient as PaymentsPrisma } from "./data/generated/client.ts";
export { createSimulatorLedger } from "./data/simulator-ledger.ts";
export { paymentsSettingsShape } from "./env.ts";
export { createSimulatedPaymentProvider, type SimulatedPaymentProvider, simulatorTestCards } from "./providers/simulator.ts";
