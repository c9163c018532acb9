import { randomUUID } from "node:crypto";
import type { Viewer } from "@storefront/auth";
import { createEvent, type EventOf } from "@storefront/events";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { createOrderStore } from "../src/data/order-store.ts";

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

/** Where test orders ship to. */
export const anAddress = {
  recipientName: "Robin Roe",
  line1: "Hauptstr. 1",
  line2: null,
  city: "Berlin",
  region: null,
  postalCode: "10115",
  countryCode: "DE",
  phone: null,
} as const;

/**
 * An order stored as the checkout stores it once the stock is reserved (order, first history entry, order.placed),
 * without a cart, catalog or inventory: for tests about what happens to orders afterwards.
 */
export async function anOrderIn(
  prisma: PrismaClient,
  {
    userId = randomUUID(),
    lines = [{ quantity: 1, unitPriceAmount: 2_500 }],
  }: {
    userId?: string;
    lines?: readonly { productId?: string; quantity: number; unitPriceAmount: number }[];
  } = {},
) {
  const priced = lines.map((line, i) => ({
    productId: line.productId ?? randomUUID(),
    sku: `SKU-${i}`,
    productName: `Product ${i}`,
    quantity: line.quantity,
    unitPriceAmount: line.unitPriceAmount,
    currency: "EUR",
  }));
  const subtotalAmount = priced.reduce((sum, line) => sum + line.quantity * line.unitPriceAmount, 0);
  const { order } = await createOrderStore(prisma).placeOrder({
    id: randomUUID(),
    userId,
    shippingAddress: anAddress,
    priced: { lines: priced, currency: "EUR", subtotalAmount, totalAmount: subtotalAmount },
    idempotencyKey: randomUUID(),
    correlationId: "test",
  });
  return order;
}
