import { connectionFrom, groupedByKey, orderedByKey, type PageRequest } from "@storefront/service";
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

/** A page of orders as a connection; each order is primed in `loaders`, so a field that loads it again asks nobody. */
export function orderConnection(
  loaders: OrderLoaders,
  page: PageRequest,
  { rows, totalCount }: { readonly rows: OrderRecord[]; readonly totalCount: number },
) {
  for (const row of rows) loaders.orderById.prime(row.id, row);
  return connectionFrom(rows, page, (order) => order.id, totalCount);
}
