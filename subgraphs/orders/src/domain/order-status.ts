import { ErrorCode } from "@storefront/errors";
import type { OrderStatus } from "../data/generated/enums.ts";

/**
 * Which status may follow which: the order's life as a state machine. REFUNDED follows the money: whenever refunds
 * cover the total (a cancelled paid order, or an admin's full refund before or after shipping), and it is final, so a
 * refunded order is never shipped or delivered.
 */
const transitions: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING_PAYMENT: ["PAID", "PAYMENT_FAILED", "CANCELLED"],
  PAYMENT_FAILED: ["PAID", "PAYMENT_FAILED", "CANCELLED"],
  PAID: ["SHIPPED", "CANCELLED", "REFUNDED"],
  SHIPPED: ["DELIVERED", "REFUNDED"],
  DELIVERED: ["REFUNDED"],
  CANCELLED: ["REFUNDED"],
  REFUNDED: [],
};

/** Statuses that may repeat: another failed payment attempt is a new step in the history, not a repeat of the last one. */
const repeatable: ReadonlySet<OrderStatus> = new Set(["PAYMENT_FAILED"]);

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return transitions[from].includes(to);
}

/** Throws CONFLICT for a change the state machine does not allow. */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw ErrorCode.CONFLICT.err(`An order that is ${from} cannot become ${to}.`, { extensions: { from, to } });
}

/**
 * Whether asking for `to` when the order already is `current` is a repeat of a change that already happened (then it
 * is a no-op, so retried requests and redelivered events are harmless) rather than a new change.
 */
export function isAlreadyDone(current: OrderStatus, to: OrderStatus): boolean {
  return current === to && !repeatable.has(to);
}

/** An order can be cancelled until it ships: while it waits for payment, after a failed payment, or once paid (then refunded). */
export function canCancel(status: OrderStatus): boolean {
  return canTransition(status, "CANCELLED");
}

/**
 * How the order reacts to a payment event, given where it is now: `apply` the change, `ignore` it because it already
 * happened or the order has moved on (out-of-order or duplicate events are no-ops, not errors).
 */
export function paymentReaction(current: OrderStatus, to: "PAID" | "PAYMENT_FAILED"): "apply" | "ignore" {
  if (isAlreadyDone(current, to)) return "ignore";
  return canTransition(current, to) ? "apply" : "ignore";
}

/**
 * How the order reacts to a refund once it is added to the refunded amount: `refund` (become REFUNDED) when refunds
 * now cover the total and the state machine allows it; otherwise `keep` (a partial refund only adds up).
 */
export function refundReaction(order: {
  readonly status: OrderStatus;
  readonly refundedAmount: number;
  readonly totalAmount: number;
}): "refund" | "keep" {
  if (order.refundedAmount < order.totalAmount) return "keep";
  return canTransition(order.status, "REFUNDED") ? "refund" : "keep";
}
