import { randomUUID } from "node:crypto";
import type { Viewer } from "@storefront/auth";
import { createEvent, type EventOf } from "@storefront/events";

const PAYMENTS = "/storefront/payments";

export const aCustomer = (userId: string = randomUUID()): { viewer: Viewer } => ({ viewer: { userId, role: "CUSTOMER", scopes: [] } });
export const anAdmin = (userId: string = randomUUID()): { viewer: Viewer } => ({ viewer: { userId, role: "ADMIN", scopes: ["admin"] } });

type Amount = { amount: number; currency?: string };
const money = ({ amount, currency = "EUR" }: Amount) => ({ amount, currency });

/** payments captured `amount` for the order (a new payment unless paymentId is given). */
export function aPaymentCaptured(orderId: string, amount: Amount, paymentId: string = randomUUID()): EventOf<"payment.captured.v1"> {
  return createEvent({
    type: "payment.captured.v1",
    source: PAYMENTS,
    data: { paymentId, orderId, amount: money(amount), capturedAt: new Date().toISOString() },
  });
}

/** A payment attempt for the order failed. */
export function aPaymentFailed(
  orderId: string,
  reasonCode = "card_declined",
  paymentId: string = randomUUID(),
): EventOf<"payment.failed.v1"> {
  return createEvent({
    type: "payment.failed.v1",
    source: PAYMENTS,
    data: { paymentId, orderId, reasonCode, failedAt: new Date().toISOString() },
  });
}

/** payments returned `amount` of a captured payment of the order. */
export function aPaymentRefunded(orderId: string, amount: Amount, paymentId: string = randomUUID()): EventOf<"payment.refunded.v1"> {
  return createEvent({
    type: "payment.refunded.v1",
    source: PAYMENTS,
    data: { paymentId, orderId, refundId: randomUUID(), amount: money(amount), refundedAt: new Date().toISOString() },
  });
}
