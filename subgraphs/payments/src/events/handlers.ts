import type { EventHandlers } from "@storefront/events";
import type { Logger } from "@storefront/service";
import { createAmountDueStore } from "../data/amount-due-store.ts";
import { cancellationRefund, lockAmountDue, refundPayment } from "../data/payment-flow.ts";
import type { PaymentsTransaction } from "../data/records.ts";
import type { PaymentProvider } from "../domain/provider.ts";

/** How payments reacts to other subgraphs' events; each runs in the transaction that marks the event processed. */
export function createPaymentsHandlers({
  logger,
  provider,
}: {
  logger: Logger;
  provider: PaymentProvider;
}): EventHandlers<PaymentsTransaction> {
  return {
    "order.placed.v1": async (event, tx) => {
      const { orderId, userId, total } = event.data;
      const recorded = await createAmountDueStore(tx).record({ orderId, userId, amount: total.amount, currency: total.currency });
      if (!recorded) logger.info({ orderId, eventId: event.id }, "amount due already recorded for this order; kept the first");
    },
    "order.cancelled.v1": async (event, tx) => {
      const { orderId, reason, wasPaid, cancelledAt } = event.data;
      // The lock orders this with a capture in flight: either this sees the capture, or the capture sees the cancellation.
      await lockAmountDue(tx, orderId);
      // From now on the order cannot be paid.
      await tx.cancelledOrder.createMany({ data: [{ orderId, cancelledAt: new Date(cancelledAt) }], skipDuplicates: true });
      // What payments itself saw captured is what goes back, whatever the order thought.
      const captured = await tx.payment.findMany({ where: { orderId, status: "CAPTURED" }, orderBy: { createdAt: "asc" } });
      if (captured.length > 0 !== wasPaid) {
        logger.warn(
          { orderId, wasPaid, captured: captured.length },
          "order.cancelled disagrees with the captured payments; refunding what was captured",
        );
      }
      // One key per order's cancellation: a redelivered or repeated cancellation finds the refund already made.
      for (const payment of captured) await refundPayment(tx, provider, cancellationRefund(payment, reason));
    },
  };
}
