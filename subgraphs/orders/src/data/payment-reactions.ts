import type { EventData } from "@storefront/events";
import { paymentReaction, refundReaction } from "../domain/order-status.ts";
import type { OrderRecord, OrdersTransaction } from "./records.ts";
import { lockOrder, transitionOrder } from "./transitions.ts";

/** Reactions to events are made by the payments subgraph, not by a person. */
export const PAYMENTS_ACTOR = "system:payments";

/** What a payment event did to its order; every outcome but `changed`/`refunded` left the status as it was. */
export type PaymentReactionOutcome =
  | { readonly outcome: "unknown_order" }
  | { readonly outcome: "amount_mismatch"; readonly order: OrderRecord }
  | { readonly outcome: "changed"; readonly order: OrderRecord }
  /** Already happened, or the order moved on (out-of-order or repeated event): nothing written. */
  | { readonly outcome: "ignored"; readonly order: OrderRecord };

const sameMoney = (order: OrderRecord, money: { amount: number; currency: string }) =>
  order.totalAmount === money.amount && order.currency === money.currency;

/** payment.captured: the order becomes PAID (from PENDING_PAYMENT or PAYMENT_FAILED) when the captured amount is its total. */
export async function applyPaymentCaptured(
  tx: OrdersTransaction,
  data: EventData<"payment.captured.v1">,
  correlationId: string | undefined,
): Promise<PaymentReactionOutcome> {
  const order = await lockOrder(tx, data.orderId);
  if (!order) return { outcome: "unknown_order" };
  if (paymentReaction(order.status, "PAID") === "ignore") return { outcome: "ignored", order };
  if (!sameMoney(order, data.amount)) return { outcome: "amount_mismatch", order };
  const result = await transitionOrder(
    tx,
    order.id,
    { to: "PAID", paymentId: data.paymentId },
    { actor: PAYMENTS_ACTOR, reason: `payment ${data.paymentId} captured`, correlationId },
  );
  return { outcome: result.outcome === "changed" ? "changed" : "ignored", order: result.order };
}

/** payment.failed: an order still waiting for its money becomes PAYMENT_FAILED (a paying attempt may follow). */
export async function applyPaymentFailed(
  tx: OrdersTransaction,
  data: EventData<"payment.failed.v1">,
  correlationId: string | undefined,
): Promise<PaymentReactionOutcome> {
  const order = await lockOrder(tx, data.orderId);
  if (!order) return { outcome: "unknown_order" };
  if (paymentReaction(order.status, "PAYMENT_FAILED") === "ignore") return { outcome: "ignored", order };
  const result = await transitionOrder(
    tx,
    order.id,
    { to: "PAYMENT_FAILED", paymentId: data.paymentId, reasonCode: data.reasonCode },
    { actor: PAYMENTS_ACTOR, reason: data.reasonCode, correlationId },
  );
  return { outcome: "changed", order: result.order };
}

/**
 * payment.refunded: adds the refund to the order's refunded amount (partial refunds add up; they are not status changes,
 * so they write no history row). An order whose refunds now cover its total becomes REFUNDED, whether it was cancelled,
 * paid, shipped or delivered: the customer has all their money back, so it must not ship (see refundReaction).
 */
export async function applyPaymentRefunded(
  tx: OrdersTransaction,
  data: EventData<"payment.refunded.v1">,
  correlationId: string | undefined,
): Promise<PaymentReactionOutcome> {
  const order = await lockOrder(tx, data.orderId);
  if (!order) return { outcome: "unknown_order" };
  if (order.currency !== data.amount.currency) return { outcome: "amount_mismatch", order };
  const updated = await tx.order.update({
    where: { id: order.id },
    data: { refundedAmount: { increment: data.amount.amount } },
  });
  if (refundReaction(updated) === "keep") return { outcome: "ignored", order: updated };
  const result = await transitionOrder(
    tx,
    order.id,
    { to: "REFUNDED" },
    { actor: PAYMENTS_ACTOR, reason: `refund ${data.refundId} of payment ${data.paymentId}`, correlationId },
  );
  return { outcome: "changed", order: result.order };
}
