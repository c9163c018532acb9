import type { InventoryTransaction } from "../data/records.ts";
import { createReservationStore } from "../data/reservation-store.ts";
import { type OrderedUnits, planReservation, type ReservationPlan, unitsPerProduct } from "../domain/reservation-plan.ts";

/** What reserving an order did: held it, rejected it, or nothing because the order was reserved before. */
export type ReservationOutcome = ReservationPlan | { readonly outcome: "already_reserved" };

/**
 * Reserves an order's items, all or nothing, in the caller's transaction. A rejected order is recorded as REJECTED
 * reservations with the reason per line (nothing is held; the saga's reaction to it comes later).
 */
export async function reserveStockForOrder(
  tx: InventoryTransaction,
  order: { orderId: string; items: readonly OrderedUnits[] },
): Promise<ReservationOutcome> {
  const store = createReservationStore(tx);
  const lines = unitsPerProduct(order.items);
  const stock = new Map((await store.lockStock(lines.map((line) => line.productId))).map((row) => [row.productId, row]));
  // Checked under the stock locks: another delivery of the same order waits for them, then finds its reservations here.
  if ((await store.reservationsOfOrder(order.orderId)).length > 0) return { outcome: "already_reserved" };

  const plan = planReservation(lines, (productId) => stock.get(productId));
  if (plan.outcome === "reject") {
    await store.recordReservations(
      order.orderId,
      plan.lines.map(({ productId, quantity, reason }) => ({ productId, quantity, status: "REJECTED", reason })),
    );
    return plan;
  }
  const held = await store.holdUnits(plan.lines);
  // Unreachable while the rows are locked; throwing rolls everything back and the consumer retries.
  if (held !== plan.lines.length) {
    throw new Error(`order ${order.orderId}: stock changed while locked (held ${held} of ${plan.lines.length} lines)`);
  }
  await store.recordReservations(
    order.orderId,
    plan.lines.map(({ productId, quantity }) => ({ productId, quantity, status: "HELD", reason: null })),
  );
  await store.recordReservedMovements(order.orderId, plan.lines);
  return plan;
}
