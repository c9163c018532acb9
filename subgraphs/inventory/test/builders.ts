import { randomUUID } from "node:crypto";
import type { Viewer } from "@storefront/auth";
import { createEvent, type EventOf } from "@storefront/events";
import type { PrismaClient } from "../src/data/generated/client.ts";

/** Stocks a product (a new one unless given); every field can be overridden. */
export function aStockLevel(prisma: PrismaClient, overrides: { productId?: string; onHand?: number; reserved?: number } = {}) {
  return prisma.stockLevel.create({
    data: { productId: overrides.productId ?? randomUUID(), onHand: overrides.onHand ?? 10, reserved: overrides.reserved ?? 0 },
  });
}

/** Who a request runs as. */
export const anAdmin = (): { viewer: Viewer } => ({ viewer: { userId: randomUUID(), role: "ADMIN", scopes: ["admin"] } });
export const aCustomer = (): { viewer: Viewer } => ({ viewer: { userId: randomUUID(), role: "CUSTOMER", scopes: [] } });
/** The checkout: a service identity holding only the reservation scope. */
export const theCheckout = (): { viewer: Viewer } => ({
  viewer: { userId: randomUUID(), role: "CUSTOMER", scopes: ["inventory:reserve"] },
});
export const anonymous = (): { viewer: null } => ({ viewer: null });

/** An `order.placed.v1` event for the given lines (a new order unless given); prices do not matter to inventory. */
export function anOrderPlaced(
  items: readonly { productId: string; quantity: number }[],
  overrides: { orderId?: string; eventId?: string } = {},
): EventOf<"order.placed.v1"> {
  const unitPrice = { amount: 1_000, currency: "EUR" };
  return createEvent({
    type: "order.placed.v1",
    source: "/storefront/test",
    ...(overrides.eventId ? { id: overrides.eventId } : {}),
    data: {
      orderId: overrides.orderId ?? randomUUID(),
      userId: randomUUID(),
      items: items.map((item) => ({ ...item, unitPrice })),
      total: { amount: items.reduce((sum, item) => sum + item.quantity * unitPrice.amount, 0), currency: "EUR" },
      placedAt: new Date().toISOString(),
    },
  });
}

/** An `order.paid.v1` event for an order. */
export function anOrderPaid(orderId: string): EventOf<"order.paid.v1"> {
  return createEvent({
    type: "order.paid.v1",
    source: "/storefront/test",
    data: { orderId, paymentId: randomUUID(), amount: { amount: 1_000, currency: "EUR" }, paidAt: new Date().toISOString() },
  });
}

/** An `order.refunded.v1` event: all of the order's money returned, before or after it shipped. */
export function anOrderRefunded(orderId: string, { wasShipped }: { wasShipped: boolean }): EventOf<"order.refunded.v1"> {
  return createEvent({
    type: "order.refunded.v1",
    source: "/storefront/test",
    data: { orderId, refundedAmount: { amount: 2_500, currency: "EUR" }, wasShipped, refundedAt: new Date().toISOString() },
  });
}

/** An `order.cancelled.v1` event for an order. */
export function anOrderCancelled(orderId: string, overrides: { wasPaid?: boolean } = {}): EventOf<"order.cancelled.v1"> {
  return createEvent({
    type: "order.cancelled.v1",
    source: "/storefront/test",
    data: { orderId, reason: "customer changed their mind", wasPaid: overrides.wasPaid ?? false, cancelledAt: new Date().toISOString() },
  });
}
