import { isUniqueViolation } from "@storefront/db";
import { ErrorCode } from "@storefront/errors";
import { createEvent, enqueueEvent } from "@storefront/events";
import type { OutboxSignal } from "@storefront/runtime";
import { summarizeCard } from "../domain/card.ts";
import type { CardDetails, LookupResult, PaymentProvider, ProviderFailure } from "../domain/provider.ts";
import { settlementOf } from "../domain/reconciliation.ts";
import type { Prisma, PrismaClient } from "./generated/client.ts";
import type { PaymentRecord, PaymentsTransaction, RefundRecord } from "./records.ts";

const SOURCE = "/storefront/payments";

export interface PayOrderRequest {
  /** The signed-in customer paying. */
  readonly userId: string;
  readonly orderId: string;
  readonly card: CardDetails;
  /** The currency the customer expects to pay in, if they said. */
  readonly currency: string | null;
  readonly idempotencyKey: string;
}

export interface RefundRequest {
  readonly paymentId: string;
  /** Minor units; everything left to refund when null. */
  readonly amount: number | null;
  readonly reason: string;
  readonly idempotencyKey: string;
  /** The admin asking; null when the shop refunds on its own. */
  readonly actorId: string | null;
}

type AuditAction = "ATTEMPTED" | "AUTHORIZED" | "CAPTURED" | "FAILED" | "REFUNDED";

interface AuditInput {
  readonly payment: PaymentRecord;
  readonly action: AuditAction;
  readonly actorId: string | null;
  readonly amount: number;
  readonly providerReference?: string | null;
  readonly refundId?: string;
  readonly detail?: string;
}

function audit(tx: PaymentsTransaction, entry: AuditInput) {
  return tx.paymentAuditEntry.create({
    data: {
      paymentId: entry.payment.id,
      orderId: entry.payment.orderId,
      refundId: entry.refundId ?? null,
      action: entry.action,
      actorId: entry.actorId,
      amount: entry.amount,
      currency: entry.payment.currency,
      providerReference: entry.providerReference ?? null,
      detail: entry.detail ?? null,
    },
  });
}

/** Locks an order's amount due for the rest of the transaction: one order's payment attempts start one at a time. */
export async function lockAmountDue(tx: PaymentsTransaction, orderId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM amount_due WHERE order_id = ${orderId}::uuid FOR UPDATE`;
}

/** Moves an attempt on from `from` only (a concurrent writer that moved it first wins); null when it had moved. */
async function advance(
  tx: PaymentsTransaction,
  payment: PaymentRecord,
  from: PaymentRecord["status"],
  data: Prisma.PaymentUpdateManyMutationInput,
): Promise<PaymentRecord | null> {
  const { count } = await tx.payment.updateMany({ where: { id: payment.id, status: from }, data });
  return count === 1 ? tx.payment.findUniqueOrThrow({ where: { id: payment.id } }) : null;
}

/**
 * Refunds (part of) a captured payment inside the caller's transaction: the refund, the payment's refunded amount,
 * the audit entry and payment.refunded.v1 commit together. The same key for the same payment returns the first refund.
 * The provider is called while the payment row is locked, so two refunds of one payment can never both pass the
 * "not more than is left" check.
 */
export async function refundPayment(
  tx: PaymentsTransaction,
  provider: PaymentProvider,
  request: RefundRequest,
): Promise<{ refund: RefundRecord; created: boolean }> {
  await tx.$queryRaw`SELECT 1 FROM payment WHERE id = ${request.paymentId}::uuid FOR UPDATE`;
  const payment = await tx.payment.findUnique({ where: { id: request.paymentId } });
  if (!payment) throw ErrorCode.NOT_FOUND.err(`No payment ${request.paymentId}.`);
  const earlier = await tx.refund.findUnique({
    where: { paymentId_idempotencyKey: { paymentId: payment.id, idempotencyKey: request.idempotencyKey } },
  });
  if (earlier) return { refund: earlier, created: false };
  if (payment.status !== "CAPTURED") {
    throw ErrorCode.CONFLICT.err(`Payment ${payment.id} is ${payment.status}: only a captured payment with money left can be refunded.`);
  }
  const left = payment.amount - payment.refundedAmount;
  const amount = request.amount ?? left;
  if (amount > left)
    throw ErrorCode.CONFLICT.err(`Only ${left} (minor units of ${payment.currency}) is left to refund on payment ${payment.id}.`);
  if (!payment.providerReference) throw new Error(`captured payment ${payment.id} has no provider reference`);
  const result = await provider.refund({
    reference: payment.providerReference,
    refundKey: `${payment.id}:${request.idempotencyKey}`,
    amount,
    currency: payment.currency,
  });
  if (result.outcome === "failed") throw ErrorCode.SERVICE_UNAVAILABLE.err(`The payment provider did not refund: ${result.message}`);
  const refund = await tx.refund.create({
    data: {
      paymentId: payment.id,
      amount,
      currency: payment.currency,
      reason: request.reason,
      requestedBy: request.actorId,
      idempotencyKey: request.idempotencyKey,
      providerReference: result.reference,
    },
  });
  const refunded = payment.refundedAmount + amount;
  await tx.payment.update({
    where: { id: payment.id },
    data: { refundedAmount: refunded, status: refunded === payment.amount ? "REFUNDED" : "CAPTURED" },
  });
  await audit(tx, {
    payment,
    action: "REFUNDED",
    actorId: request.actorId,
    amount,
    providerReference: result.reference,
    refundId: refund.id,
    detail: request.reason,
  });
  await enqueueEvent(
    tx,
    createEvent({
      type: "payment.refunded.v1",
      source: SOURCE,
      data: {
        paymentId: payment.id,
        orderId: payment.orderId,
        refundId: refund.id,
        amount: { amount, currency: payment.currency },
        refundedAt: refund.createdAt.toISOString(),
      },
    }),
  );
  return { refund, created: true };
}

/** The shop's own full refund of a payment of a cancelled order; one per order, however often it is asked for. */
export function cancellationRefund(payment: PaymentRecord, reason = "the order was cancelled"): RefundRequest {
  return {
    paymentId: payment.id,
    amount: null,
    reason: `Order cancelled: ${reason}`.slice(0, 500),
    idempotencyKey: `order-cancelled:${payment.orderId}`,
    actorId: null,
  };
}

/** Who made a step: the paying customer, or the shop itself (actorId null) settling an attempt from the provider's books. */
interface StepActor {
  readonly actorId: string | null;
  /** Added to each audit entry's detail, e.g. why the shop made the step. */
  readonly note?: string;
}

/** The shop's own steps when it settles an attempt the provider answered after payOrder could not hear it. */
const RECONCILER: StepActor = { actorId: null, note: "settled from the provider's records" };

const withNote = (detail: string, note: string | undefined) => (note ? `${detail} (${note})` : detail);

/** Paying orders and refunding payments: state, audit trail and payment.* events written together, the provider called in between. */
export function createPaymentFlow(prisma: PrismaClient, provider: PaymentProvider, outbox: OutboxSignal) {
  /** Writes one step in a transaction; wakes the outbox relay once it committed. */
  async function step<T>(write: (tx: PaymentsTransaction) => Promise<T>): Promise<T> {
    const result = await prisma.$transaction(write);
    outbox.notify();
    return result;
  }

  const current = (tx: PaymentsTransaction, payment: PaymentRecord) => tx.payment.findUniqueOrThrow({ where: { id: payment.id } });

  /**
   * Records a failure of an attempt still where the caller saw it; an attempt that moved meanwhile (captured or failed
   * by a concurrent call or the reconciler) is returned as it is now, with nothing written.
   */
  async function fail(payment: PaymentRecord, failure: ProviderFailure, by: StepActor): Promise<PaymentRecord> {
    return step(async (tx) => {
      const failed = await advance(tx, payment, payment.status, {
        status: "FAILED",
        failureReason: failure.reason,
        failureMessage: failure.message,
      });
      if (!failed) return current(tx, payment);
      await audit(tx, {
        payment,
        action: "FAILED",
        actorId: by.actorId,
        amount: payment.amount,
        detail: withNote(`${failure.reason}: ${failure.message}`, by.note),
      });
      await enqueueEvent(
        tx,
        createEvent({
          type: "payment.failed.v1",
          source: SOURCE,
          data: {
            paymentId: payment.id,
            orderId: payment.orderId,
            reasonCode: failure.reason,
            message: failure.message,
            failedAt: failed.updatedAt.toISOString(),
          },
        }),
      );
      return failed;
    });
  }

  /** PENDING → AUTHORIZED with the provider's reference; an attempt that moved meanwhile is returned as it is now. */
  async function recordAuthorization(payment: PaymentRecord, reference: string, by: StepActor): Promise<PaymentRecord> {
    return step(async (tx) => {
      const moved = await advance(tx, payment, "PENDING", { status: "AUTHORIZED", providerReference: reference });
      if (!moved) return current(tx, payment);
      await audit(tx, {
        payment,
        action: "AUTHORIZED",
        actorId: by.actorId,
        amount: payment.amount,
        providerReference: reference,
        detail: by.note,
      });
      await enqueueEvent(
        tx,
        createEvent({
          type: "payment.authorized.v1",
          source: SOURCE,
          data: {
            paymentId: payment.id,
            orderId: payment.orderId,
            amount: { amount: payment.amount, currency: payment.currency },
            authorizedAt: moved.updatedAt.toISOString(),
          },
        }),
      );
      return moved;
    });
  }

  /**
   * AUTHORIZED → CAPTURED with payment.captured. Only one writer moves the row (a conditional update under the order's
   * lock), so however many calls race to record one attempt's capture, one event is written; the others return the row.
   */
  async function recordCapture(authorized: PaymentRecord, reference: string, by: StepActor): Promise<PaymentRecord> {
    return step(async (tx) => {
      // Serialized with order.cancelled's handler on this lock: either it sees the capture, or this sees the cancellation.
      await lockAmountDue(tx, authorized.orderId);
      const captured = await advance(tx, authorized, "AUTHORIZED", { status: "CAPTURED", providerReference: reference });
      if (!captured) return current(tx, authorized);
      await audit(tx, {
        payment: authorized,
        action: "CAPTURED",
        actorId: by.actorId,
        amount: authorized.amount,
        providerReference: reference,
        detail: by.note,
      });
      await enqueueEvent(
        tx,
        createEvent({
          type: "payment.captured.v1",
          source: SOURCE,
          data: {
            paymentId: authorized.id,
            orderId: authorized.orderId,
            amount: { amount: authorized.amount, currency: authorized.currency },
            capturedAt: captured.updatedAt.toISOString(),
          },
        }),
      );
      if (await tx.cancelledOrder.findUnique({ where: { orderId: authorized.orderId } })) {
        // The order was cancelled while the provider was charging: the money goes straight back.
        await refundPayment(tx, provider, cancellationRefund(captured));
        return current(tx, authorized);
      }
      return captured;
    });
  }

  /**
   * Charges an authorized attempt at the provider (idempotent there, by the authorization) and records the answer. A
   * call that throws has an unknown outcome (the provider may have charged): the attempt stays AUTHORIZED for the
   * reconciler, which asks the provider, rather than FAILED, which would let the order be paid, and charged, again.
   */
  async function capture(authorized: PaymentRecord, authorization: string, by: StepActor): Promise<PaymentRecord> {
    let result: Awaited<ReturnType<PaymentProvider["capture"]>>;
    try {
      result = await provider.capture({ reference: authorization, amount: authorized.amount, currency: authorized.currency });
    } catch {
      return authorized;
    }
    if (result.outcome === "failed") return fail(authorized, result, by);
    return recordCapture(authorized, result.reference, by);
  }

  /**
   * Records the attempt before the provider hears of it: the (user, key) unique constraint and the lock on the order's
   * amount due make every concurrent retry find this row instead of charging again. Null when the key was used before.
   */
  async function startAttempt(request: PayOrderRequest): Promise<{ payment: PaymentRecord; started: boolean }> {
    const byKey = { userId_idempotencyKey: { userId: request.userId, idempotencyKey: request.idempotencyKey } };
    const replay = (payment: PaymentRecord) => {
      if (payment.orderId !== request.orderId) {
        throw ErrorCode.CONFLICT.err("This idempotency key was already used to pay another order; use a new key for each payment.");
      }
      return { payment, started: false };
    };
    try {
      return await prisma.$transaction(async (tx) => {
        await lockAmountDue(tx, request.orderId);
        const due = await tx.amountDue.findUnique({ where: { orderId: request.orderId } });
        if (!due) {
          // payments learns of an order from order.placed, a moment after checkout: a retry may find it.
          throw ErrorCode.NOT_FOUND.err(
            `Payments does not know order ${request.orderId} (yet): if it was placed just now, retry in a moment.`,
            { extensions: { retryable: true } },
          );
        }
        if (due.userId !== request.userId) throw ErrorCode.FORBIDDEN.err("Only the customer who placed the order may pay it.");
        const earlier = await tx.payment.findUnique({ where: byKey });
        if (earlier) return replay(earlier);
        if (await tx.cancelledOrder.findUnique({ where: { orderId: due.orderId } })) {
          throw ErrorCode.CONFLICT.err(`Order ${due.orderId} was cancelled; it can no longer be paid.`);
        }
        if (request.currency !== null && request.currency !== due.currency) {
          throw ErrorCode.CONFLICT.err(`Order ${due.orderId} is due in ${due.currency}, not ${request.currency}.`);
        }
        const attempts = await tx.payment.findMany({ where: { orderId: due.orderId, status: { not: "FAILED" } } });
        if (due.amount === 0 || attempts.some((a) => a.status === "CAPTURED" || a.status === "REFUNDED")) {
          throw ErrorCode.CONFLICT.err(`Order ${due.orderId} is already paid.`);
        }
        if (attempts.length > 0) throw ErrorCode.CONFLICT.err(`A payment of order ${due.orderId} is under way; wait for its outcome.`);
        const card = summarizeCard(request.card);
        const payment = await tx.payment.create({
          data: {
            orderId: due.orderId,
            userId: request.userId,
            amount: due.amount,
            currency: due.currency,
            idempotencyKey: request.idempotencyKey,
            cardBrand: card.brand,
            cardLast4: card.last4,
          },
        });
        await audit(tx, {
          payment,
          action: "ATTEMPTED",
          actorId: request.userId,
          amount: payment.amount,
          detail: `${card.brand} ending ${card.last4}`,
        });
        return { payment, started: true };
      });
    } catch (error) {
      // The same key raced in for another order of the same user: the constraint caught it.
      if (isUniqueViolation(error)) {
        return replay(await prisma.payment.findUniqueOrThrow({ where: byKey }));
      }
      throw error;
    }
  }

  return {
    /**
     * Pays an order: the attempt first, then authorize and capture at the provider, each answer recorded with its event.
     * When the reconciler settled the attempt while the provider kept this call waiting, the late answer changes nothing
     * and the attempt is returned as the reconciler left it; when the provider could not be asked (a call threw), the
     * attempt is returned PENDING or AUTHORIZED, and the reconciler settles it.
     */
    async payOrder(request: PayOrderRequest): Promise<PaymentRecord> {
      const { payment, started } = await startAttempt(request);
      if (!started) return payment;
      const customer: StepActor = { actorId: payment.userId };
      let authorization: Awaited<ReturnType<PaymentProvider["authorize"]>>;
      try {
        authorization = await provider.authorize({
          paymentId: payment.id,
          amount: payment.amount,
          currency: payment.currency,
          card: request.card,
        });
      } catch {
        // Unknown outcome (the provider may have authorized): the attempt stays PENDING until the reconciler asks the provider.
        return payment;
      }
      if (authorization.outcome === "failed") return fail(payment, authorization, customer);
      const authorized = await recordAuthorization(payment, authorization.reference, customer);
      if (authorized.status !== "AUTHORIZED") return authorized;
      return capture(authorized, authorization.reference, customer);
    },

    /**
     * Settles an attempt that waited too long for the provider (payments crashed, or lost the answer), from what the
     * provider knows of it: see settlementOf. Every step is conditional on the attempt still being where it was read,
     * so a racing payOrder, a late provider answer or another replica's reconciler never records a second capture.
     * Returns the attempt as it is now (unchanged while the provider is still processing).
     */
    async settle(payment: PaymentRecord, lookup: LookupResult): Promise<PaymentRecord> {
      const cancelled = (await prisma.cancelledOrder.findUnique({ where: { orderId: payment.orderId } })) !== null;
      const settlement = settlementOf(lookup, cancelled);
      if (settlement.action === "wait") return payment;
      if (settlement.action === "fail") return fail(payment, settlement.failure, RECONCILER);
      const authorized = payment.status === "PENDING" ? await recordAuthorization(payment, settlement.authorization, RECONCILER) : payment;
      if (authorized.status !== "AUTHORIZED") return authorized;
      if (settlement.action === "record-capture") return recordCapture(authorized, settlement.reference, RECONCILER);
      return capture(authorized, settlement.authorization, RECONCILER);
    },

    /** An admin's refund of (part of) a captured payment. */
    async refund(request: RefundRequest): Promise<RefundRecord> {
      const { refund, created } = await prisma.$transaction((tx) => refundPayment(tx, provider, request));
      if (created) outbox.notify();
      return refund;
    },
  };
}

export type PaymentFlow = ReturnType<typeof createPaymentFlow>;
