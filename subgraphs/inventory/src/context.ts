import type { BaseContext } from "@storefront/service";
import type { CatalogClient } from "./clients/catalog.ts";
import type { InventoryLoaders } from "./data/loaders.ts";
import type { Reservations } from "./data/reservations.ts";
import type { StockChanges } from "./data/stock-changes.ts";
import type { StockStore } from "./data/stock-store.ts";

/** What inventory resolvers receive as their third argument. */
export interface InventoryContext extends BaseContext {
  readonly store: StockStore;
  readonly loaders: InventoryLoaders;
  readonly stockChanges: StockChanges;
  readonly reservations: Reservations;
  /** Null when the catalog's URL is not configured: only stocking a product never stocked before needs it. */
  readonly catalog: CatalogClient | null;
}
