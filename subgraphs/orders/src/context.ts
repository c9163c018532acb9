import type { OutboxSignal } from "@storefront/runtime";
import type { BaseContext } from "@storefront/service";
import type { Checkout } from "./checkout.ts";
import type { OrderLoaders } from "./data/loaders.ts";
import type { OrderStore } from "./data/order-store.ts";

/** What orders resolvers receive as their third argument. */
export interface OrdersContext extends BaseContext {
  readonly store: OrderStore;
  readonly loaders: OrderLoaders;
  readonly checkout: Checkout;
  readonly outbox: OutboxSignal;
}
