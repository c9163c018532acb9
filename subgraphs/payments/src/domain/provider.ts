// The payment provider port: what payments needs from whoever moves the money. Adapters live in src/providers/.

/** A card as the provider receives it; the shop passes it on and never stores the number or the CVC. */
export interface CardDetails {
  readonly number: string;
  readonly expiryMonth: number;
  readonly expiryYear: number;
  readonly cvc: string;
}

export interface AuthorizeRequest {
  /** Our payment id: the provider's idempotency key, so a repeated call never reserves twice. */
  readonly paymentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly card: CardDetails;
}

export interface CaptureRequest {
  /** The authorization's provider reference. */
  readonly reference: string;
  readonly amount: number;
  readonly currency: string;
}

export interface RefundRequest {
  /** The captured payment's provider reference. */
  readonly reference: string;
  /** Our refund's idempotency key at the provider. */
  readonly refundKey: string;
  readonly amount: number;
  readonly currency: string;
}

/** Why the provider did not do what was asked: card_declined and insufficient_funds are declines; processing_error is the provider's trouble. */
export type ProviderFailureReason = "card_declined" | "insufficient_funds" | "processing_error";

export interface ProviderFailure {
  readonly outcome: "failed";
  readonly reason: ProviderFailureReason;
  readonly message: string;
}

export type AuthorizeResult = { readonly outcome: "authorized"; readonly reference: string } | ProviderFailure;
export type CaptureResult = { readonly outcome: "captured"; readonly reference: string } | ProviderFailure;
export type RefundResult = { readonly outcome: "refunded"; readonly reference: string } | ProviderFailure;

export interface LookupRequest {
  /** Our payment id, the idempotency key authorize was (or would have been) called with. */
  readonly paymentId: string;
}

/** What the provider knows of an attempt, asked after the fact (payments crashed or lost the answer). */
export type LookupResult =
  /** The processor has not answered yet: ask again later. */
  | { readonly outcome: "processing" }
  /** The amount is reserved and not charged; `reference` is the authorization's, for capture. */
  | { readonly outcome: "authorized"; readonly reference: string }
  /** The amount was charged: `authorization` and `reference` (the capture's) as authorize and capture answered them. */
  | { readonly outcome: "captured"; readonly authorization: string; readonly reference: string }
  /** Declined, or the processor gave up: nothing was charged. */
  | ProviderFailure
  /** The provider never received the attempt: nothing was charged. */
  | { readonly outcome: "unknown" };

/**
 * Moves money: reserve it on a card, charge what was reserved, return what was charged. Expected failures are results,
 * not throws. A provider is idempotent: authorize by payment id, capture by authorization reference, refund by refund
 * key; a repeated call answers like the first and never moves money twice.
 */
export interface PaymentProvider {
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  capture(request: CaptureRequest): Promise<CaptureResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
  /** Where an attempt stands at the provider, by our payment id; it moves no money. */
  lookup(request: LookupRequest): Promise<LookupResult>;
}

/** Declines are the customer's card's; everything else is the provider's trouble. */
export function isDecline(reason: ProviderFailureReason): boolean {
  return reason === "card_declined" || reason === "insufficient_funds";
}
