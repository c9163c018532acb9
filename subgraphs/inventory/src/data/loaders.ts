import { groupedByKey, orderedByKey, type PageRequest } from "@storefront/service";
import DataLoader from "dataloader";
import type { StockLevelRecord, StockMovementRecord } from "./records.ts";
import type { StockStore } from "./stock-store.ts";

/** Which page of which product's movements. */
export interface MovementPageKey extends PageRequest {
  readonly productId: string;
}

/** Per-request loaders: any number of lookups in one tick cost one query per kind (per page size and cursor). */
export function createInventoryLoaders(store: StockStore) {
  return {
    stockLevelByProductId: new DataLoader<string, StockLevelRecord | null>(async (productIds) =>
      orderedByKey(productIds, await store.stockLevelsByProductIds(productIds), (level) => level.productId),
    ),

    movementPage: new DataLoader<MovementPageKey, StockMovementRecord[], string>(
      async (keys) => {
        // a list of products asks for the same page of each: one statement per distinct (first, after)
        const pages = new Map<string, MovementPageKey[]>();
        for (const key of keys) {
          const page = `${key.first}:${key.after ?? ""}`;
          pages.set(page, [...(pages.get(page) ?? []), key]);
        }
        const rows = new Map<MovementPageKey, StockMovementRecord[]>();
        await Promise.all(
          [...pages.values()].map(async (sameKeys) => {
            const [{ first, after }] = sameKeys as [MovementPageKey];
            const productIds = sameKeys.map((key) => key.productId);
            const movements = await store.movementPages(productIds, { first, after });
            groupedByKey(productIds, movements, (movement) => movement.productId).forEach((group, i) => {
              rows.set(sameKeys[i] as MovementPageKey, group);
            });
          }),
        );
        return keys.map((key) => rows.get(key) ?? []);
      },
      { cacheKeyFn: (key) => `${key.productId}:${key.first}:${key.after ?? ""}` },
    ),

    movementCountByProductId: new DataLoader<string, number>(async (productIds) =>
      orderedByKey(productIds, await store.movementCounts(productIds), (group) => group.productId).map((group) => group?.count ?? 0),
    ),
  };
}

export type InventoryLoaders = ReturnType<typeof createInventoryLoaders>;
