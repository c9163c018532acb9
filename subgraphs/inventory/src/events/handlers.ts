import type { EventHandlers } from "@storefront/events";
import type { Logger } from "@storefront/service";
import type { InventoryTransaction } from "../data/records.ts";
import { cancelStockOfOrder, commitStockOfOrder, ORPHAN_REASON, reserveStockForOrder } from "../data/reservations.ts";

/**
 * How inventory reacts to the order saga; each handler runs in the transaction that marks the event processed, so a
 * redelivered event has no second effect. Reactions to events have no actor (the ledger shows `system:inventory`).
 */
export function createInventoryHandlers({ logger }: { logger: Logger }): EventHandlers<InventoryTransaction> {
  return {
    "order.placed.v1": async (event, tx) => {
      // order.placed is orders' word that the order exists: its hold is confirmed, never released as orphaned
      const result = await reserveStockForOrder(tx, event.data, null, { confirmsOrder: true });
      if (result.outcome === "already_reserved" && result.reservation.lines.some((line) => line.reason === ORPHAN_REASON)) {
        // only an order stored after ORPHAN_HOLD_SECONDS without a word to inventory gets here: people must decide
        logger.error(
          { orderId: event.data.orderId, eventId: event.id },
          "an order was placed after its hold had been released as orphaned: it has no stock reserved",
        );
      } else if (result.outcome === "rejected") {
        logger.warn({ orderId: event.data.orderId, eventId: event.id, lines: result.lines }, "order not reserved: not enough stock");
      } else if (result.outcome === "rejected_as_cancelled") {
        logger.info({ orderId: event.data.orderId, eventId: event.id }, "order not reserved: it was cancelled before it was placed here");
      }
    },
    "order.paid.v1": async (event, tx) => {
      const result = await commitStockOfOrder(tx, event.data.orderId, null);
      const status = result.reservation.lines[0]?.status ?? null;
      if (status === "REJECTED") {
        // the order was paid although its stock could not be reserved: people must decide (restock or refund)
        logger.error(
          { orderId: event.data.orderId, eventId: event.id },
          "a paid order has no stock reserved: it cannot be fulfilled from stock",
        );
      } else if (result.outcome === "remembered") {
        logger.warn(
          { orderId: event.data.orderId, eventId: event.id },
          "order paid before it was reserved: a late reservation will be committed at once",
        );
      }
    },
    "order.cancelled.v1": async (event, tx) => {
      const { orderId, wasPaid } = event.data;
      // What inventory itself kept from stock for the order comes back, whatever the event says about its payment:
      // orders cancels only before shipping, so committed units are still in the warehouse.
      const result = await cancelStockOfOrder(tx, orderId, "order_cancelled", null);
      if (result.outcome === "remembered") {
        logger.info({ orderId, eventId: event.id }, "order cancelled before it was reserved: a late reservation will hold nothing");
      } else if (result.outcome === "restocked" && !wasPaid) {
        logger.warn(
          { orderId, eventId: event.id, wasPaid },
          "order.cancelled says the order was not paid, but its units were committed: put them back on hand all the same",
        );
      }
    },
    "order.refunded.v1": async (event, tx) => {
      const { orderId, wasShipped } = event.data;
      // Shipped units are gone whatever the refund says (their return is a matter for people). An order refunded
      // before it shipped never will: what is still kept for it comes back, as for a cancellation (a no-op when the
      // order was cancelled first).
      if (wasShipped) return;
      const result = await cancelStockOfOrder(tx, orderId, "order_refunded", null);
      if (result.outcome === "restocked")
        logger.info({ orderId, eventId: event.id }, "order refunded before shipping: its units are back on hand");
    },
  };
}
