import type { EventData, EventHandlers } from "@storefront/events";
import { type AvailabilityReport, recordAvailability } from "../data/availability-store.ts";
import type { CatalogTransaction } from "../data/records.ts";
import { announceProductChanged } from "./catalog-changes.ts";

/**
 * The payload of `inventory.availability_changed.v1`, defined once in the shared event catalogue (@storefront/events,
 * which validates it when the event is read): what the catalog needs from inventory to filter listings by availability
 * (products(filter: { inStock })) without reading inventory's tables. Inventory writes one to its outbox in the same
 * transaction as every change of a product's stock; topic `storefront.inventory`, key the product id, so one product's
 * reports stay in order.
 */
export type AvailabilityChanged = EventData<"inventory.availability_changed.v1">;

/**
 * The catalog's handler for inventory.availability_changed.v1: updates the catalog's availability projection.
 * It runs in the consumer's transaction (which also records the event as processed); a report older than the
 * stored one is ignored, so redelivery and reordering are harmless. When the product moves in or out of stock, the
 * catalog's own listings (products(filter: { inStock })) change: it announces that in the same transaction.
 */
export async function applyAvailabilityChanged(tx: CatalogTransaction, data: AvailabilityChanged): Promise<"applied" | "stale"> {
  const report: AvailabilityReport = {
    productId: data.productId,
    inStock: data.inStock,
    version: data.version,
    changedAt: new Date(data.changedAt),
  };
  const recorded = await recordAvailability(tx, report);
  // Inventory's own event reaches caches first; this one follows once the catalog's listings agree with it.
  if (recorded.inStockChanged) await announceProductChanged(tx, data.productId, ["availability"]);
  return recorded.applied ? "applied" : "stale";
}

/** The catalog's event handlers, run by the consumer group "catalog". */
export const catalogEventHandlers: EventHandlers<CatalogTransaction> = {
  "inventory.availability_changed.v1": async (event, tx) => {
    await applyAvailabilityChanged(tx, event.data);
  },
};
