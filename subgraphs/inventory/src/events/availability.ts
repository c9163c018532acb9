import { createEvent, enqueueEvent, type SqlClient } from "@storefront/events";
import type { ChangedStockLevel } from "../data/reservation-store.ts";
import { availableUnits } from "../domain/stock.ts";

/** The last state of each product among `levels` (a product can change twice in one transaction: held, then committed). */
export function latestPerProduct(levels: readonly ChangedStockLevel[]): ChangedStockLevel[] {
  const latest = new Map<string, ChangedStockLevel>();
  for (const level of levels) {
    const seen = latest.get(level.productId);
    if (!seen || level.version > seen.version) latest.set(level.productId, level);
  }
  // product id order, the order the stock rows are locked in, for enqueueEvent's per-key locks as well
  return [...latest.values()].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/**
 * Writes one inventory.availability_changed.v1 per changed product to the outbox, in the transaction that changed the
 * stock (call it last in that transaction, after every change). The catalog keeps the report with the highest version
 * per product, so reports that arrive twice or out of order cannot undo a newer one. Answers how many it wrote.
 */
export async function announceAvailability(tx: SqlClient, levels: readonly ChangedStockLevel[]): Promise<number> {
  const latest = latestPerProduct(levels);
  for (const level of latest) {
    const available = availableUnits(level);
    await enqueueEvent(
      tx,
      createEvent({
        type: "inventory.availability_changed.v1",
        source: "/storefront/inventory",
        data: {
          productId: level.productId,
          inStock: available > 0,
          available,
          version: level.version,
          changedAt: level.changedAt.toISOString(),
        },
      }),
    );
  }
  return latest.length;
}
