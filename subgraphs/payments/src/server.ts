import type { OutboxSignal } from "@storefront/runtime";
import { type BaseContext, createSubgraphServer, type Logger, loadTypeDefs } from "@storefront/service";
import type { PaymentsContext } from "./context.ts";
import type { PrismaClient } from "./data/generated/client.ts";
import { createPaymentsLoaders } from "./data/loaders.ts";
import { createPaymentFlow } from "./data/payment-flow.ts";
import { createPaymentsStore } from "./data/payments-store.ts";
import type { PaymentProvider } from "./domain/provider.ts";
import { type PaymentsSettings, paymentsSettingsFromEnv } from "./env.ts";
import { createPaymentsHandlers } from "./events/handlers.ts";
import { createPaymentReconcilerJob } from "./jobs/payment-reconciler.ts";
import { resolvers } from "./resolvers/index.ts";

export interface PaymentsDeps {
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  readonly production: boolean;
  /** Wakes the outbox relay after a commit that wrote payment.* events. */
  readonly outbox: OutboxSignal;
  /** Who moves the money. */
  readonly provider: PaymentProvider;
  /** The subgraph's own settings (env.ts); the defaults when not given. */
  readonly settings?: PaymentsSettings;
}

export const typeDefs = loadTypeDefs(new URL("../schema.graphql", import.meta.url));

/** The payments subgraph: its Apollo server, how to build a request's context, its event handlers and the reconciler. */
export function createPaymentsSubgraph({
  prisma,
  logger,
  production,
  outbox,
  provider,
  settings = paymentsSettingsFromEnv({}),
}: PaymentsDeps) {
  const store = createPaymentsStore(prisma);
  const payments = createPaymentFlow(prisma, provider, outbox);
  return {
    apollo: createSubgraphServer<PaymentsContext>({ name: "payments", typeDefs, resolvers, logger, production }),
    context: (base: BaseContext): PaymentsContext => ({ ...base, store, loaders: createPaymentsLoaders(store), payments }),
    handlers: createPaymentsHandlers({ logger, provider }),
    jobs: [
      createPaymentReconcilerJob({
        store,
        payments,
        provider,
        logger,
        afterMs: settings.PAYMENT_RECONCILE_AFTER_SECONDS * 1_000,
        everyMs: settings.PAYMENT_RECONCILE_EVERY_SECONDS * 1_000,
      }),
    ],
  };
}
