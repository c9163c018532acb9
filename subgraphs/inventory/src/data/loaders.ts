import { orderedByKey } from "@storefront/service";
import DataLoader from "dataloader";
import type { StockLevelRecord } from "./records.ts";
import type { StockStore } from "./stock-store.ts";

/** Per-request loaders: any number of lookups in one tick cost one query per kind. */
export function createInventoryLoaders(store: StockStore) {
  return {
    stockLevelByProductId: new DataLoader<string, StockLevelRecord | null>(async (productIds) =>
      orderedByKey(productIds, await store.stockLevelsByProductIds(productIds), (level) => level.productId),
    ),
  };
}

export type InventoryLoaders = ReturnType<typeof createInventoryLoaders>;
