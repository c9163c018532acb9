import { randomUUID } from "node:crypto";
import { createEvent, type EventOf } from "@storefront/events";
import type { PrismaClient } from "../src/data/generated/client.ts";

/** Stocks a product (a new one unless given); every field can be overridden. */
export function aStockLevel(prisma: PrismaClient, overrides: { productId?: string; onHand?: number; reserved?: number } = {}) {
  return prisma.stockLevel.create({
    data: { productId: overrides.productId ?? randomUUID(), onHand: overrides.onHand ?? 10, reserved: overrides.reserved ?? 0 },
  });
}

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
