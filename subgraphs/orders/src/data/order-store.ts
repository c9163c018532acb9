import { isUniqueViolation } from "@storefront/db";
import { createEvent, enqueueEvent } from "@storefront/events";
import { isUuid, type PageRequest, uuidsOnly } from "@storefront/service";
import type { PricedOrder } from "../domain/order-lines.ts";
import type { ShippingAddress } from "../domain/shipping-address.ts";
import type { OrderStatus, Prisma, PrismaClient } from "./generated/client.ts";
import type { OrderItemRecord, OrderRecord, OrderStatusChangeRecord } from "./records.ts";
import { EVENT_SOURCE, type OrderTransition, type TransitionOptions, type TransitionResult, transitionOrder } from "./transitions.ts";

export interface NewOrder {
  /** Chosen by the checkout before the order is stored: stock is reserved under it first. */
  readonly id: string;
  readonly userId: string;
  readonly shippingAddress: ShippingAddress;
  readonly priced: PricedOrder;
  readonly idempotencyKey: string;
  /** Ties the order.placed event to the request that caused it. */
  readonly correlationId: string;
}

/** Every read and write the orders subgraph makes; the only module that talks to its database. */
export function createOrderStore(prisma: PrismaClient) {
  /** A page of the orders `where` matches, newest first, with one extra row when more follow, and their count. */
  async function newestFirst(where: Prisma.OrderWhereInput, page: PageRequest): Promise<{ rows: OrderRecord[]; totalCount: number }> {
    const [rows, totalCount] = await Promise.all([
      prisma.order.findMany({
        where,
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: page.first + 1,
        ...(page.after ? { cursor: { id: page.after }, skip: 1 } : {}),
      }),
      prisma.order.count({ where }),
    ]);
    return { rows, totalCount };
  }

  const orderByIdempotencyKey = (userId: string, idempotencyKey: string) =>
    prisma.order.findUnique({ where: { userId_idempotencyKey: { userId, idempotencyKey } } });

  return {
    orderByIdempotencyKey,

    /**
     * Writes the order, its items, its first history entry and its order.placed event in one
     * transaction. A concurrent retry with the same idempotency key gets the first order back.
     * Only the checkout calls it, once the order's stock is reserved.
     */
    async placeOrder({
      id,
      userId,
      shippingAddress,
      priced,
      idempotencyKey,
      correlationId,
    }: NewOrder): Promise<{ order: OrderRecord; created: boolean }> {
      try {
        const order = await prisma.$transaction(async (tx) => {
          const order = await tx.order.create({
            data: {
              id,
              userId,
              shipRecipientName: shippingAddress.recipientName,
              shipLine1: shippingAddress.line1,
              shipLine2: shippingAddress.line2,
              shipCity: shippingAddress.city,
              shipRegion: shippingAddress.region,
              shipPostalCode: shippingAddress.postalCode,
              shipCountryCode: shippingAddress.countryCode,
              shipPhone: shippingAddress.phone,
              currency: priced.currency,
              subtotalAmount: priced.subtotalAmount,
              totalAmount: priced.totalAmount,
              idempotencyKey,
              items: { create: priced.lines.map((line, position) => ({ ...line, position })) },
              history: { create: { fromStatus: null, toStatus: "PENDING_PAYMENT", actor: userId, reason: "order placed" } },
            },
          });
          const money = (amount: number) => ({ amount, currency: priced.currency });
          await enqueueEvent(
            tx,
            createEvent({
              type: "order.placed.v1",
              source: EVENT_SOURCE,
              correlationId,
              data: {
                orderId: order.id,
                userId,
                items: priced.lines.map((line) => ({
                  productId: line.productId,
                  sku: line.sku,
                  quantity: line.quantity,
                  unitPrice: money(line.unitPriceAmount),
                })),
                total: money(priced.totalAmount),
                placedAt: order.createdAt.toISOString(),
              },
            }),
          );
          return order;
        });
        return { order, created: true };
      } catch (error) {
        if (isUniqueViolation(error)) {
          const existing = await orderByIdempotencyKey(userId, idempotencyKey);
          if (existing) return { order: existing, created: false };
        }
        throw error;
      }
    },

    /** Changes an order's status in a transaction of its own (see transitionOrder); the caller notifies the outbox when it changed. */
    changeStatus: (orderId: string, transition: OrderTransition, options: TransitionOptions): Promise<TransitionResult> =>
      prisma.$transaction((tx) => transitionOrder(tx, orderId, transition, options)),

    /** The oldest orders still waiting for a successful payment that were placed before `before`. */
    unpaidOrdersPlacedBefore: (before: Date, limit: number): Promise<Pick<OrderRecord, "id">[]> =>
      prisma.order.findMany({
        where: { status: { in: ["PENDING_PAYMENT", "PAYMENT_FAILED"] }, createdAt: { lt: before } },
        orderBy: { createdAt: "asc" },
        take: limit,
        select: { id: true },
      }),

    ordersByIds: (ids: readonly string[]): Promise<OrderRecord[]> => prisma.order.findMany({ where: { id: { in: uuidsOnly(ids) } } }),

    itemsOfOrders: (orderIds: readonly string[]): Promise<OrderItemRecord[]> =>
      prisma.orderItem.findMany({ where: { orderId: { in: uuidsOnly(orderIds) } }, orderBy: [{ orderId: "asc" }, { position: "asc" }] }),

    historyOfOrders: (orderIds: readonly string[]): Promise<OrderStatusChangeRecord[]> =>
      prisma.orderStatusChange.findMany({
        where: { orderId: { in: uuidsOnly(orderIds) } },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      }),

    /** One user's orders newest first; fetches one extra row so the caller knows whether more follow. */
    async ordersPageOfUser(userId: string, page: PageRequest): Promise<{ rows: OrderRecord[]; totalCount: number }> {
      if (!isUuid(userId)) return { rows: [], totalCount: 0 };
      return newestFirst({ userId }, page);
    },

    /** Every customer's orders newest first, in some statuses or all; one extra row, as ordersPageOfUser. */
    ordersPage(statuses: readonly OrderStatus[] | null, page: PageRequest): Promise<{ rows: OrderRecord[]; totalCount: number }> {
      return newestFirst(statuses ? { status: { in: [...statuses] } } : {}, page);
    },
  };
}

export type OrderStore = ReturnType<typeof createOrderStore>;
