import type { PaymentAttemptStatus } from "../data/generated/enums.ts";

/** Where an order's payment stands, as the schema's PaymentStatus shows it. */
export type OrderPaymentStatus =
  | "AWAITING_PAYMENT"
  | "PROCESSING"
  | "AUTHORIZED"
  | "PARTIALLY_PAID"
  | "PAID"
  | "PAYMENT_FAILED"
  | "REFUNDED";

interface Amount {
  readonly amount: number;
  readonly currency: string;
}

interface Attempt extends Amount {
  readonly status: PaymentAttemptStatus;
}

/**
 * Derives an order's payment status from what it owes and its attempts, given newest first.
 * Null until the amount due is recorded; only attempts in the order's currency count toward it.
 */
export function orderPaymentStatus(due: Amount | null, attemptsNewestFirst: readonly Attempt[]): OrderPaymentStatus | null {
  if (!due) return null;
  const attempts = attemptsNewestFirst.filter((attempt) => attempt.currency === due.currency);
  const total = (status: PaymentAttemptStatus) => attempts.filter((a) => a.status === status).reduce((sum, a) => sum + a.amount, 0);
  const captured = total("CAPTURED");
  const refunded = total("REFUNDED");
  if (captured > 0 || refunded > 0) {
    if (captured >= due.amount) return "PAID";
    return captured > 0 ? "PARTIALLY_PAID" : "REFUNDED";
  }
  // Nothing charged: an order that owes nothing is settled; otherwise the latest attempt says where it stands.
  if (due.amount === 0) return "PAID";
  switch (attempts[0]?.status) {
    case "PENDING":
      return "PROCESSING";
    case "AUTHORIZED":
      return "AUTHORIZED";
    case "FAILED":
      return "PAYMENT_FAILED";
    default:
      return "AWAITING_PAYMENT";
  }
}

/** What was returned of an order's payments, in the order's currency (only attempts in that currency count toward it). */
export function orderRefundedAmount(due: Amount, attempts: readonly (Amount & { readonly refundedAmount: number })[]): Amount {
  const refunded = attempts.filter((a) => a.currency === due.currency).reduce((sum, a) => sum + a.refundedAmount, 0);
  return { amount: refunded, currency: due.currency };
}
