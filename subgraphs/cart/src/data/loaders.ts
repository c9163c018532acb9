import { groupedByKey, orderedByKey } from "@storefront/service";
import DataLoader from "dataloader";
import type { CartStore } from "./cart-store.ts";
import type { CartItemRecord, CartRecord } from "./records.ts";

/** Per-request loaders: any number of lookups in one tick cost one query per kind. */
export function createCartLoaders(store: CartStore) {
  return {
    cartByUserId: new DataLoader<string, CartRecord | null>(async (userIds) =>
      orderedByKey(userIds, await store.cartsByUserIds(userIds), (c) => c.userId),
    ),
    itemsByCartId: new DataLoader<string, CartItemRecord[]>(async (cartIds) =>
      groupedByKey(cartIds, await store.itemsByCartIds(cartIds), (i) => i.cartId),
    ),
  };
}

export type CartLoaders = ReturnType<typeof createCartLoaders>;
