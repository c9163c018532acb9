import { type EventHandlers, PermanentEventError } from "@storefront/events";
import type { Logger } from "@storefront/service";
import { applyPaymentCaptured, applyPaymentFailed, applyPaymentRefunded, type PaymentReactionOutcome } from "../data/payment-reactions.ts";
import type { OrdersTransaction } from "../data/records.ts";

/**
 * Ends a reaction that cannot go on. An unknown order is permanent, not retryable: an order commits before its
 * order.placed leaves the outbox, so no payment event can arrive before its order; one that names an unknown order
 * comes from a bug or another environment, and goes to the dead-letter topic for people to look at.
 */
function refuseIfBroken(outcome: PaymentReactionOutcome, type: string, orderId: string): void {
  if (outcome.outcome === "unknown_order") throw new PermanentEventError(`${type}: order ${orderId} does not exist`);
  if (outcome.outcome === "amount_mismatch") {
    throw new PermanentEventError(
      `${type}: the amount does not match order ${orderId} (total ${outcome.order.totalAmount} ${outcome.order.currency})`,
    );
  }
}

/**
 * The order saga's reactions to payments, run by the consumer group "orders". Each runs in the transaction that
 * records the event as processed, so a redelivered event has no second effect; an event whose change already happened
 * or that arrives after the order moved on is a no-op. The order events they write leave as soon as the consumer
 * commits (the runtime's consumer wakes the outbox relay after each handled event).
 */
export function createOrderEventHandlers({ logger }: { logger: Logger }): EventHandlers<OrdersTransaction> {
  return {
    "payment.captured.v1": async (event, tx) => {
      const result = await applyPaymentCaptured(tx, event.data, event.correlationid);
      refuseIfBroken(result, event.type, event.data.orderId);
      if (result.outcome === "ignored" && (result.order.status === "CANCELLED" || result.order.status === "REFUNDED")) {
        logger.error(
          { orderId: event.data.orderId, paymentId: event.data.paymentId, eventId: event.id, status: result.order.status },
          "a payment was captured for a cancelled order: it must be refunded",
        );
      }
    },
    "payment.failed.v1": async (event, tx) => {
      refuseIfBroken(await applyPaymentFailed(tx, event.data, event.correlationid), event.type, event.data.orderId);
    },
    "payment.refunded.v1": async (event, tx) => {
      refuseIfBroken(await applyPaymentRefunded(tx, event.data, event.correlationid), event.type, event.data.orderId);
    },
  };
}
