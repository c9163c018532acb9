import type { BaseContext } from "@storefront/service";
import type { PaymentsLoaders } from "./data/loaders.ts";
import type { PaymentFlow } from "./data/payment-flow.ts";
import type { PaymentsStore } from "./data/payments-store.ts";

/** What payments resolvers receive as their third argument. */
export interface PaymentsContext extends BaseContext {
  readonly store: PaymentsStore;
  readonly loaders: PaymentsLoaders;
  /** Paying and refunding (the only writes resolvers make). */
  readonly payments: PaymentFlow;
}
