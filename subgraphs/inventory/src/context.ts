import type { BaseContext } from "@storefront/service";
import type { InventoryLoaders } from "./data/loaders.ts";
import type { StockStore } from "./data/stock-store.ts";

/** What inventory resolvers receive as their third argument. */
export interface InventoryContext extends BaseContext {
  readonly store: StockStore;
  readonly loaders: InventoryLoaders;
}
