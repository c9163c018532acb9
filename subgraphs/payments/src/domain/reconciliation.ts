import type { LookupResult, ProviderFailure } from "./provider.ts";

/** What to do with an attempt that has waited too long for the provider, given what the provider knows of it. */
export type Settlement =
  /** The processor has not answered yet: look again next time. */
  | { readonly action: "wait" }
  /** Reserved at the provider and not charged: finish the payment (capture; the capture is idempotent there). */
  | { readonly action: "capture"; readonly authorization: string }
  /** Charged at the provider: record the capture payments never heard of. */
  | { readonly action: "record-capture"; readonly authorization: string; readonly reference: string }
  /** Nothing was charged: the attempt failed, and the order can be paid again. */
  | { readonly action: "fail"; readonly failure: ProviderFailure };

/** An attempt the provider never received: nothing was charged, and it will never be. */
export const NEVER_RECEIVED: ProviderFailure = {
  outcome: "failed",
  reason: "processing_error",
  message: "The payment provider never received this attempt; nothing was charged.",
};

/** An authorization left over from an order cancelled before its payment completed: not charged, it lapses. */
export const CANCELLED_BEFORE_CAPTURE: ProviderFailure = {
  outcome: "failed",
  reason: "processing_error",
  message: "The order was cancelled before this payment completed; the reserved amount was not charged.",
};

/**
 * How a stale attempt settles. The money decides: what the provider charged is recorded (even for a cancelled order,
 * whose capture is then refunded at once), what it declined or never received fails, and an authorization is captured
 * unless the order was cancelled meanwhile.
 */
export function settlementOf(lookup: LookupResult, orderCancelled: boolean): Settlement {
  switch (lookup.outcome) {
    case "processing":
      return { action: "wait" };
    case "captured":
      return { action: "record-capture", authorization: lookup.authorization, reference: lookup.reference };
    case "authorized":
      return orderCancelled
        ? { action: "fail", failure: CANCELLED_BEFORE_CAPTURE }
        : { action: "capture", authorization: lookup.reference };
    case "failed":
      return { action: "fail", failure: lookup };
    case "unknown":
      return { action: "fail", failure: NEVER_RECEIVED };
  }
}
