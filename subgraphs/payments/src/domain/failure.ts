import { isDecline, type ProviderFailureReason } from "./provider.ts";

/** A failed attempt as the schema's PaymentFailure shows it. */
export interface PaymentFailureView {
  readonly code: "PAYMENT_DECLINED" | "PROCESSING_ERROR";
  readonly reason: string;
  readonly message: string;
}

/** Why an attempt failed, from what was recorded; null unless it failed. */
export function failureOf(attempt: {
  status: string;
  failureReason: string | null;
  failureMessage: string | null;
}): PaymentFailureView | null {
  if (attempt.status !== "FAILED" || attempt.failureReason === null) return null;
  const reason = attempt.failureReason;
  return {
    code: isDecline(reason as ProviderFailureReason) ? "PAYMENT_DECLINED" : "PROCESSING_ERROR",
    reason,
    message: attempt.failureMessage ?? reason,
  };
}
