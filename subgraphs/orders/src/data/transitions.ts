import { ErrorCode } from "@storefront/errors";
import { createEvent, enqueueEvent } from "@storefront/events";
import { isUuid } from "@storefront/service";
import { assertTransition, isAlreadyDone } from "../domain/order-status.ts";
import type { OrderRecord, OrdersTransaction } from "./records.ts";

export const EVENT_SOURCE = "/storefront/orders";

/** A change of status, with what its event needs besides the order itself. */
export type OrderTransition =
  | { readonly to: "PAID"; readonly paymentId: string }
  | { readonly to: "PAYMENT_FAILED"; readonly paymentId: string; readonly reasonCode: string }
  | { readonly to: "CANCELLED" }
  | { readonly to: "SHIPPED"; readonly carrier: string; readonly trackingNumber?: string | null }
  | { readonly to: "DELIVERED" }
  | { readonly to: "REFUNDED" };

export interface TransitionOptions {
  /** A user id, or `system:<subgraph>` for a reaction to an event. */
  readonly actor: string;
  readonly reason: string | null;
  /** Ties the event written to the request or event that caused it. */
  readonly correlationId?: string | undefined;
}

export type TransitionResult =
  /** The status changed: a history row and an event were written; notify the outbox after commit. */
  | { readonly outcome: "changed"; readonly order: OrderRecord; readonly from: OrderRecord["status"] }
  /** The order already had that status: nothing was written. */
  | { readonly outcome: "unchanged"; readonly order: OrderRecord };

/** Locks the order's row until the transaction ends (SELECT … FOR UPDATE) and reads it; null for an unknown id. */
export async function lockOrder(tx: OrdersTransaction, orderId: string): Promise<OrderRecord | null> {
  if (!isUuid(orderId)) return null;
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM customer_order WHERE id = ${orderId}::uuid FOR UPDATE`;
  if (locked.length === 0) return null;
  return tx.order.findUnique({ where: { id: orderId } });
}

/**
 * THE one place an order's status changes. In the caller's transaction it locks the order, checks the state machine
 * (CONFLICT with `from`/`to` in extensions for an illegal change), updates the status, appends the history row and
 * enqueues the matching event (order.paid / order.payment_failed / order.cancelled / order.shipped / order.delivered /
 * order.refunded: payment.refunded tells of each refund, order.refunded that the order will not ship). Asking for the status the
 * order already has is a no-op (`unchanged`), except PAYMENT_FAILED, which another failed attempt repeats.
 * The caller notifies the outbox after the commit when the outcome is `changed`.
 */
export async function transitionOrder(
  tx: OrdersTransaction,
  orderId: string,
  transition: OrderTransition,
  { actor, reason, correlationId }: TransitionOptions,
): Promise<TransitionResult> {
  const current = await lockOrder(tx, orderId);
  if (!current) throw ErrorCode.NOT_FOUND.err(`Order ${orderId} does not exist.`, { extensions: { orderId } });
  const from = current.status;
  const { to } = transition;
  if (isAlreadyDone(from, to)) return { outcome: "unchanged", order: current };
  assertTransition(from, to);

  const order = await tx.order.update({
    where: { id: current.id },
    data: { status: to, history: { create: { fromStatus: from, toStatus: to, actor, reason } } },
  });
  const at = order.updatedAt.toISOString();
  const common = { source: EVENT_SOURCE, correlationId, time: order.updatedAt };
  switch (transition.to) {
    case "PAID":
      await enqueueEvent(
        tx,
        createEvent({
          ...common,
          type: "order.paid.v1",
          data: {
            orderId: order.id,
            paymentId: transition.paymentId,
            amount: { amount: order.totalAmount, currency: order.currency },
            paidAt: at,
          },
        }),
      );
      break;
    case "PAYMENT_FAILED":
      await enqueueEvent(
        tx,
        createEvent({
          ...common,
          type: "order.payment_failed.v1",
          data: { orderId: order.id, paymentId: transition.paymentId, reasonCode: transition.reasonCode, failedAt: at },
        }),
      );
      break;
    case "CANCELLED":
      await enqueueEvent(
        tx,
        createEvent({
          ...common,
          type: "order.cancelled.v1",
          data: { orderId: order.id, reason: reason ?? "cancelled", wasPaid: from === "PAID", cancelledAt: at },
        }),
      );
      break;
    case "SHIPPED":
      await enqueueEvent(
        tx,
        createEvent({
          ...common,
          type: "order.shipped.v1",
          data: {
            orderId: order.id,
            carrier: transition.carrier,
            ...(transition.trackingNumber ? { trackingNumber: transition.trackingNumber } : {}),
            shippedAt: at,
          },
        }),
      );
      break;
    case "DELIVERED":
      await enqueueEvent(tx, createEvent({ ...common, type: "order.delivered.v1", data: { orderId: order.id, deliveredAt: at } }));
      break;
    case "REFUNDED":
      await enqueueEvent(
        tx,
        createEvent({
          ...common,
          type: "order.refunded.v1",
          data: {
            orderId: order.id,
            refundedAmount: { amount: order.refundedAmount, currency: order.currency },
            wasShipped: from === "SHIPPED" || from === "DELIVERED",
            refundedAt: at,
          },
        }),
      );
      break;
  }
  return { outcome: "changed", order, from };
}
