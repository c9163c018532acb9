import type { OutboxSignal } from "@storefront/runtime";
import type { BaseContext } from "@storefront/service";
import type { CatalogClient } from "./clients/catalog.ts";
import type { OrderLoaders } from "./data/loaders.ts";
import type { OrderStore } from "./data/order-store.ts";

/** What orders resolvers receive as their third argument. */
export interface OrdersContext extends BaseContext {
  readonly store: OrderStore;
  readonly loaders: OrderLoaders;
  readonly catalog: CatalogClient;
  readonly outbox: OutboxSignal;
}
