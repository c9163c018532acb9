import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { SimulatorEntry, SimulatorLedger } from "../data/simulator-ledger.ts";
import type {
  AuthorizeRequest,
  AuthorizeResult,
  CaptureRequest,
  CaptureResult,
  LookupRequest,
  LookupResult,
  PaymentProvider,
  ProviderFailure,
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
  /** Where the simulator keeps what it knows of each attempt (payments' database, so it outlives a restart). */
  readonly ledger: SimulatorLedger;
  /** How long the processor-timeout card keeps the attempt at the processor. Default 2 s; tests use a few ms. */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
}

/** A deterministic payment provider for development, demos and tests; it moves no money. */
export interface SimulatedPaymentProvider extends PaymentProvider {
  /** How often each operation was called (tests count calls with it; the ledger counts what was charged). */
  readonly calls: { authorize: number; capture: number; refund: number; lookup: number };
}

/** What the processor decides for a card, and whether it takes `timeoutMs` to say so. */
function decide(paymentId: string, cardNumber: string, timeoutMs: number) {
  const failed = (reason: ProviderFailure["reason"], message: string) =>
    ({ status: "FAILED", authorizationReference: null, failureReason: reason, failureMessage: message }) as const;
  switch (cardNumber) {
    case simulatorTestCards.decline:
      return { ...failed("card_declined", "The card was declined."), slow: false };
    case simulatorTestCards.insufficientFunds:
      return { ...failed("insufficient_funds", "The card has insufficient funds."), slow: false };
    case simulatorTestCards.processorTimeout:
      return { ...failed("processing_error", `The card processor did not answer within ${timeoutMs} ms.`), slow: true };
    default:
      return {
        status: "AUTHORIZED",
        authorizationReference: reference("auth", paymentId),
        failureReason: null,
        failureMessage: null,
        slow: false,
      } as const;
  }
}

// Deterministic references: the same request yields the same reference, as a provider's idempotency would.
function reference(kind: string, key: string): string {
  return `sim_${kind}_${createHash("sha256").update(key).digest("hex").slice(0, 24)}`;
}

function failureOf(entry: SimulatorEntry): ProviderFailure {
  const reason = (entry.failureReason ?? "processing_error") as ProviderFailure["reason"];
  return { outcome: "failed", reason, message: entry.failureMessage ?? reason };
}

/**
 * The built-in payment provider: outcomes follow the card number (see simulatorTestCards). It keeps its books in the
 * ledger, so an attempt interrupted by a payments crash can be looked up after the restart, settled as it would have
 * been: the processor-timeout card fails `timeoutMs` after the attempt reached the simulator, whoever waits for it.
 */
export function createSimulatedPaymentProvider({
  ledger,
  timeoutMs = 2_000,
  now = () => new Date(),
}: SimulatorOptions): SimulatedPaymentProvider {
  const calls = { authorize: 0, capture: 0, refund: 0, lookup: 0 };
  return {
    calls,
    async authorize({ paymentId, amount, currency, card }: AuthorizeRequest): Promise<AuthorizeResult> {
      calls.authorize += 1;
      const { slow, ...decision } = decide(paymentId, card.number, timeoutMs);
      const entry = await ledger.open({
        paymentId,
        amount,
        currency,
        ...decision,
        settlesAt: new Date(now().getTime() + (slow ? timeoutMs : 0)),
      });
      // a repeated call waits only for what is left of the first one's delay
      const wait = entry.settlesAt.getTime() - now().getTime();
      if (wait > 0) await sleep(wait);
      if (entry.status === "FAILED" || !entry.authorizationReference) return failureOf(entry);
      return { outcome: "authorized", reference: entry.authorizationReference };
    },
    async capture({ reference: authorization }: CaptureRequest): Promise<CaptureResult> {
      calls.capture += 1;
      const entry = await ledger.capture(authorization, reference("capture", authorization), now());
      if (!entry?.captureReference) {
        return { outcome: "failed", reason: "processing_error", message: `No authorization ${authorization} to capture.` };
      }
      return { outcome: "captured", reference: entry.captureReference };
    },
    async refund({ reference: capture, refundKey }: RefundRequest): Promise<RefundResult> {
      calls.refund += 1;
      return { outcome: "refunded", reference: reference("refund", `${capture}:${refundKey}`) };
    },
    async lookup({ paymentId }: LookupRequest): Promise<LookupResult> {
      calls.lookup += 1;
      const entry = await ledger.find(paymentId);
      if (!entry) return { outcome: "unknown" };
      if (entry.settlesAt.getTime() > now().getTime()) return { outcome: "processing" };
      if (entry.status === "FAILED" || !entry.authorizationReference) return failureOf(entry);
      if (entry.status === "CAPTURED" && entry.captureReference) {
        return { outcome: "captured", authorization: entry.authorizationReference, reference: entry.captureReference };
      }
      return { outcome: "authorized", reference: entry.authorizationReference };
    },
  };
}
