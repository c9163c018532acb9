import { randomUUID } from "node:crypto";
import { createEvent, type EventOf } from "@storefront/events";
import type { PrismaClient } from "../src/data/generated/client.ts";
import type { PaymentAttemptStatus } from "../src/data/generated/enums.ts";

/** Records what a (new) order owes; every field can be overridden. */
export function anAmountDue(
  prisma: PrismaClient,
  overrides: { orderId?: string; userId?: string; amount?: number; currency?: string } = {},
) {
  return prisma.amountDue.create({
    data: {
      orderId: overrides.orderId ?? randomUUID(),
      userId: overrides.userId ?? randomUUID(),
      amount: overrides.amount ?? 5_000,
      currency: overrides.currency ?? "EUR",
    },
  });
}

/** Records a payment attempt for an order whose amount due is recorded; every field can be overridden. */
export async function aPayment(
  prisma: PrismaClient,
  orderId: string,
  overrides: {
    amount?: number;
    currency?: string;
    status?: PaymentAttemptStatus;
    createdAt?: Date;
    /** When it last changed (the reconciler settles attempts by it); now unless given. */
    updatedAt?: Date;
    providerReference?: string;
  } = {},
) {
  const due = await prisma.amountDue.findUniqueOrThrow({ where: { orderId } });
  return prisma.payment.create({
    data: {
      orderId,
      userId: due.userId,
      amount: overrides.amount ?? 5_000,
      currency: overrides.currency ?? "EUR",
      status: overrides.status ?? "PENDING",
      idempotencyKey: randomUUID(),
      ...(overrides.createdAt ? { createdAt: overrides.createdAt } : {}),
      ...(overrides.updatedAt ? { updatedAt: overrides.updatedAt } : {}),
      ...(overrides.providerReference ? { providerReference: overrides.providerReference } : {}),
    },
  });
}

/** An `order.placed.v1` event of one line (a new order unless given) with the given total. */
export function anOrderPlaced(
  overrides: { orderId?: string; userId?: string; total?: { amount: number; currency: string } } = {},
): EventOf<"order.placed.v1"> {
  const total = overrides.total ?? { amount: 4_200, currency: "EUR" };
  return createEvent({
    type: "order.placed.v1",
    source: "/storefront/test",
    data: {
      orderId: overrides.orderId ?? randomUUID(),
      userId: overrides.userId ?? randomUUID(),
      items: [{ productId: randomUUID(), quantity: 1, unitPrice: total }],
      total,
      placedAt: new Date().toISOString(),
    },
  });
}

/** An `order.cancelled.v1` event of an order. */
export function anOrderCancelled(orderId: string, wasPaid: boolean): EventOf<"order.cancelled.v1"> {
  return createEvent({
    type: "order.cancelled.v1",
    source: "/storefront/test",
    data: { orderId, reason: "Customer changed their mind", wasPaid, cancelledAt: new Date().toISOString() },
  });
}
