import { createHash } from "node:crypto";
import type {
  AuthorizeRequest,
  AuthorizeResult,
  CaptureRequest,
  CaptureResult,
  PaymentProvider,
  RefundRequest,
  RefundResult,
} from "../domain/provider.ts";

/**
 * Test cards of the built-in simulated provider (the card numbers Stripe documents for the same outcomes).
 * Any other valid card number is approved too; expiry and CVC are not checked beyond their format.
 */
export const simulatorTestCards = {
  /** Authorized and captured. */
  approve: "4242424242424242",
  /** Declined: card_declined. */
  decline: "4000000000000002",
  /** Declined: insufficient_funds. */
  insufficientFunds: "4000000000009995",
  /** The processor does not answer in time: processing_error after `timeoutMs`; nothing is charged. */
  processorTimeout: "4000000000000119",
} as const;

export interface SimulatorOptions {
  /** How long the processor-timeout card keeps the caller waiting. Default 2 s; tests use a few ms. */
  readonly timeoutMs?: number;
}

/** A deterministic payment provider for development, demos and tests; it moves no money. */
export interface SimulatedPaymentProvider extends PaymentProvider {
  /** How often each operation was called (tests count charges with it). */
  readonly calls: { authorize: number; capture: number; refund: number };
}

/** The built-in payment provider: outcomes follow the card number (see simulatorTestCards). */
export function createSimulatedPaymentProvider({ timeoutMs = 2_000 }: SimulatorOptions = {}): SimulatedPaymentProvider {
  const calls = { authorize: 0, capture: 0, refund: 0 };
  // Deterministic references: the same request yields the same reference, as a provider's idempotency would.
  const reference = (kind: string, key: string) => `sim_${kind}_${createHash("sha256").update(key).digest("hex").slice(0, 24)}`;
  return {
    calls,
    async authorize({ paymentId, card }: AuthorizeRequest): Promise<AuthorizeResult> {
      calls.authorize += 1;
      switch (card.number) {
        case simulatorTestCards.decline:
          return { outcome: "failed", reason: "card_declined", message: "The card was declined." };
        case simulatorTestCards.insufficientFunds:
          return { outcome: "failed", reason: "insufficient_funds", message: "The card has insufficient funds." };
        case simulatorTestCards.processorTimeout:
          await new Promise((resolve) => setTimeout(resolve, timeoutMs));
          return { outcome: "failed", reason: "processing_error", message: `The card processor did not answer within ${timeoutMs} ms.` };
        default:
          return { outcome: "authorized", reference: reference("auth", paymentId) };
      }
    },
    async capture({ reference: authorization }: CaptureRequest): Promise<CaptureResult> {
      calls.capture += 1;
      return { outcome: "captured", reference: reference("capture", authorization) };
    },
    async refund({ reference: capture, refundKey }: RefundRequest): Promise<RefundResult> {
      calls.refund += 1;
      return { outcome: "refunded", reference: reference("refund", `${capture}:${refundKey}`) };
    },
  };
}
