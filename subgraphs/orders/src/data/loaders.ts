import { groupedByKey, orderedByKey } from "@storefront/service";
import DataLoader from "dataloader";
import type { OrderStore } from "./order-store.ts";
import type { OrderItemRecord, OrderRecord, OrderStatusChangeRecord } from "./records.ts";

/** Per-request loaders: any number of lookups in one tick cost one query per kind. */
export function createOrderLoaders(store: OrderStore) {
  return {
    orderById: new DataLoader<string, OrderRecord | null>(async (ids) => orderedByKey(ids, await store.ordersByIds(ids), (o) => o.id)),
    itemsOfOrder: new DataLoader<string, OrderItemRecord[]>(async (ids) =>
      groupedByKey(ids, await store.itemsOfOrders(ids), (i) => i.orderId),
    ),
    historyOfOrder: new DataLoader<string, OrderStatusChangeRecord[]>(async (ids) =>
      groupedByKey(ids, await store.historyOfOrders(ids), (h) => h.orderId),
    ),
  };
}

export type OrderLoaders = ReturnType<typeof createOrderLoaders>;
