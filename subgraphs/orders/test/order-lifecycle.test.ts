import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import { DLQ_HEADERS } from "@storefront/events";
import { silentLogger } from "@storefront/service";
import { createEventDelivery, errorCodes, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { OutboxEvent, PrismaClient } from "../src/data/generated/client.ts";
import type { OrdersTransaction } from "../src/data/records.ts";
import { transitionOrder } from "../src/data/transitions.ts";
import { createOrderEventHandlers } from "../src/events/handlers.ts";
import { ordersSubgraph } from "../src/index.ts";
import { aCustomer, anAdmin, anOrderIn, aPaymentCaptured, aPaymentFailed, aPaymentRefunded } from "./builders.ts";

const ORDER_FIELDS = "id status canCancel statusHistory { from to actor reason }";
const CANCEL = `mutation($id: ID!, $reason: String!) { cancelOrder(id: $id, reason: $reason) { ${ORDER_FIELDS} } }`;
const SHIP = `mutation($id: ID!, $carrier: String!, $tracking: String) {
  markShipped(id: $id, carrier: $carrier, trackingNumber: $tracking) { ${ORDER_FIELDS} } }`;
const DELIVER = `mutation($id: ID!) { markDelivered(id: $id) { ${ORDER_FIELDS} } }`;
const ORDER = `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;

type HistoryEntry = { from: string | null; to: string; actor: string; reason: string | null };
type OrderView = { id: string; status: string; canCancel: boolean; statusHistory: HistoryEntry[] };
type EventPayload = { type: string; data: Record<string, unknown> };

const PRICE = 2_500;

describe("an order's life: cancel, ship, deliver, and the reactions to payments", () => {
  let orders: TestSubgraph<PrismaClient>;
  let delivery: ReturnType<typeof createEventDelivery<OrdersTransaction>>;
  const admin = anAdmin();

  before(async () => {
    orders = await startTestSubgraph(ordersSubgraph);
    delivery = createEventDelivery({
      groupId: "orders",
      db: orders.prisma,
      handlers: createOrderEventHandlers({ logger: silentLogger() }),
    });
  });
  beforeEach(() => {
    delivery.deadLetters.length = 0;
  });
  after(async () => {
    await delivery?.close();
    await orders?.close();
  });

  /** A new order of one kettle (total 25.00 EUR) placed by `userId`, waiting for payment. */
  async function anOrder(userId: string = randomUUID()) {
    const order = await anOrderIn(orders.prisma, { userId, lines: [{ quantity: 1, unitPriceAmount: PRICE }] });
    return { orderId: order.id, userId };
  }
  async function aPaidOrder(userId: string = randomUUID()) {
    const order = await anOrder(userId);
    await delivery.deliver(aPaymentCaptured(order.orderId, { amount: PRICE }));
    return order;
  }
  async function aShippedOrder() {
    const order = await aPaidOrder();
    await orders.query(SHIP, { id: order.orderId, carrier: "DHL" }, admin);
    return order;
  }
  async function aCancelledPaidOrder() {
    const order = await aPaidOrder();
    await orders.query(CANCEL, { id: order.orderId, reason: "changed my mind" }, aCustomer(order.userId));
    return order;
  }

  const eventsOf = async (orderId: string): Promise<EventPayload[]> =>
    (await orders.prisma.outboxEvent.findMany({ where: { key: orderId }, orderBy: { seq: "asc" } }))
      .map((row: OutboxEvent) => row.payload as EventPayload)
      .filter((event) => event.type !== "order.placed.v1");
  const typesOf = async (orderId: string) => (await eventsOf(orderId)).map((event) => event.type);
  const lastEventOf = async (orderId: string) => (await eventsOf(orderId)).at(-1);
  const orderOf = async (orderId: string) => (await orders.query<{ order: OrderView }>(ORDER, { id: orderId }, admin)).order;
  /** Everything a refused change must leave alone. */
  const snapshotOf = async (orderId: string) => ({
    order: await orders.prisma.order.findUniqueOrThrow({ where: { id: orderId } }),
    history: await orders.prisma.orderStatusChange.count({ where: { orderId } }),
    events: (await eventsOf(orderId)).length,
  });

  describe("payment events", () => {
    it("marks an order PAID when its payment is captured and publishes order.paid, as system:payments", async () => {
      const { orderId } = await anOrder();
      const captured = aPaymentCaptured(orderId, { amount: PRICE });

      await delivery.deliver(captured);

      const order = await orderOf(orderId);
      assert.equal(order.status, "PAID");
      assert.deepEqual(order.statusHistory.at(-1), {
        from: "PENDING_PAYMENT",
        to: "PAID",
        actor: "system:payments",
        reason: `payment ${captured.data.paymentId} captured`,
      });
      const paid = await lastEventOf(orderId);
      assert.equal(paid?.type, "order.paid.v1");
      assert.equal(paid?.data.paymentId, captured.data.paymentId);
      assert.deepEqual(paid?.data.amount, { amount: PRICE, currency: "EUR" });
      assert.deepEqual(delivery.deadLetters, []);
    });

    it("has one effect however often the same captured event is delivered", async () => {
      const { orderId } = await anOrder();
      const captured = aPaymentCaptured(orderId, { amount: PRICE });

      await delivery.deliver(captured);
      await delivery.deliver(captured);
      await delivery.deliver(captured);

      assert.deepEqual(await typesOf(orderId), ["order.paid.v1"]);
      assert.equal((await orderOf(orderId)).statusHistory.length, 2);
    });

    it("ignores a second captured event for an order already paid (another event id, same fact)", async () => {
      const { orderId } = await aPaidOrder();
      const before = await snapshotOf(orderId);

      await delivery.deliver(aPaymentCaptured(orderId, { amount: PRICE }));

      assert.deepEqual(await snapshotOf(orderId), before);
      assert.deepEqual(delivery.deadLetters, []);
    });

    it("records a failed payment as PAYMENT_FAILED with order.payment_failed, each further failed attempt too, then a capture pays it", async () => {
      const { orderId } = await anOrder();
      const first = aPaymentFailed(orderId, "card_declined");
      const second = aPaymentFailed(orderId, "insufficient_funds");

      await delivery.deliver(first);
      await delivery.deliver(first);
      await delivery.deliver(second);
      await delivery.deliver(aPaymentCaptured(orderId, { amount: PRICE }));

      const order = await orderOf(orderId);
      assert.equal(order.status, "PAID");
      assert.deepEqual(
        order.statusHistory.map((h) => [h.from, h.to, h.actor, h.reason]),
        [
          [null, "PENDING_PAYMENT", order.statusHistory[0]?.actor, "order placed"],
          ["PENDING_PAYMENT", "PAYMENT_FAILED", "system:payments", "card_declined"],
          ["PAYMENT_FAILED", "PAYMENT_FAILED", "system:payments", "insufficient_funds"],
          ["PAYMENT_FAILED", "PAID", "system:payments", order.statusHistory[3]?.reason],
        ],
      );
      const events = await eventsOf(orderId);
      assert.deepEqual(
        events.map((e) => [e.type, e.data.reasonCode]),
        [
          ["order.payment_failed.v1", "card_declined"],
          ["order.payment_failed.v1", "insufficient_funds"],
          ["order.paid.v1", undefined],
        ],
      );
      assert.equal(events[0]?.data.paymentId, first.data.paymentId);
    });

    it("ignores a failed payment that arrives after the order was paid, or cancelled", async () => {
      const paid = await aPaidOrder();
      const { orderId: cancelledId, userId } = await anOrder();
      await orders.query(CANCEL, { id: cancelledId, reason: "too slow" }, aCustomer(userId));
      const before = [await snapshotOf(paid.orderId), await snapshotOf(cancelledId)];

      await delivery.deliver(aPaymentFailed(paid.orderId));
      await delivery.deliver(aPaymentFailed(cancelledId));

      assert.deepEqual([await snapshotOf(paid.orderId), await snapshotOf(cancelledId)], before);
      assert.deepEqual(delivery.deadLetters, []);
    });

    it("leaves a cancelled order cancelled when a capture for it arrives late", async () => {
      const { orderId, userId } = await anOrder();
      await orders.query(CANCEL, { id: orderId, reason: "found it cheaper" }, aCustomer(userId));
      const before = await snapshotOf(orderId);

      await delivery.deliver(aPaymentCaptured(orderId, { amount: PRICE }));

      assert.deepEqual(await snapshotOf(orderId), before);
      assert.deepEqual(delivery.deadLetters, []);
    });

    it("dead-letters a capture that does not match the order's total, and a payment event for an unknown order, changing nothing", async () => {
      const { orderId } = await anOrder();
      const before = await snapshotOf(orderId);

      await delivery.deliver(aPaymentCaptured(orderId, { amount: PRICE - 1 }));
      await delivery.deliver(aPaymentCaptured(orderId, { amount: PRICE, currency: "USD" }));
      await delivery.deliver(aPaymentCaptured(randomUUID(), { amount: PRICE }));
      await delivery.deliver(aPaymentFailed(randomUUID()));

      assert.deepEqual(await snapshotOf(orderId), before);
      assert.equal(delivery.deadLetters.length, 4);
      assert.deepEqual(
        delivery.deadLetters.map((message) => /(does not match|does not exist)/.exec(message.headers?.[DLQ_HEADERS.reason] ?? "")?.[1]),
        ["does not match", "does not match", "does not exist", "does not exist"],
      );
    });

    it("marks a cancelled paid order REFUNDED once its refunds cover the total; a partial refund only adds up", async () => {
      const { orderId } = await aCancelledPaidOrder();
      const eventsBefore = await typesOf(orderId);
      const firstPart = aPaymentRefunded(orderId, { amount: 1_000 });

      await delivery.deliver(firstPart);
      await delivery.deliver(firstPart);
      const afterPart = await orders.prisma.order.findUniqueOrThrow({ where: { id: orderId } });
      await delivery.deliver(aPaymentRefunded(orderId, { amount: PRICE - 1_000 }));

      assert.equal(afterPart.status, "CANCELLED");
      assert.equal(afterPart.refundedAmount, 1_000, "a redelivered refund counts once");
      const order = await orderOf(orderId);
      assert.equal(order.status, "REFUNDED");
      assert.equal(order.canCancel, false);
      assert.deepEqual(
        order.statusHistory.slice(-1).map((h) => [h.from, h.to, h.actor]),
        [["CANCELLED", "REFUNDED", "system:payments"]],
      );
      const events = await eventsOf(orderId);
      assert.deepEqual(
        events.map((event) => event.type),
        [...eventsBefore, "order.refunded.v1"],
        "one order.refunded, at the full refund",
      );
      assert.deepEqual(events.at(-1)?.data, {
        orderId,
        refundedAmount: { amount: PRICE, currency: "EUR" },
        wasShipped: false,
        refundedAt: events.at(-1)?.data.refundedAt,
      });
    });

    it("keeps a partly refunded paid order PAID with the refunded amount added up, and it still ships", async () => {
      const { orderId } = await aPaidOrder();

      await delivery.deliver(aPaymentRefunded(orderId, { amount: 1_000 }));
      await delivery.deliver(aPaymentRefunded(orderId, { amount: 500 }));

      const order = await orders.prisma.order.findUniqueOrThrow({ where: { id: orderId } });
      assert.deepEqual([order.status, order.refundedAmount], ["PAID", 1_500]);
      const { markShipped } = await orders.query<{ markShipped: OrderView }>(SHIP, { id: orderId, carrier: "DHL" }, admin);
      assert.equal(markShipped.status, "SHIPPED");
    });

    it("marks a paid order REFUNDED when refunds return all of it, and refuses to ship it with CONFLICT", async () => {
      const { orderId } = await aPaidOrder();
      await delivery.deliver(aPaymentRefunded(orderId, { amount: 1_000 }));

      await delivery.deliver(aPaymentRefunded(orderId, { amount: PRICE - 1_000 }));

      const order = await orderOf(orderId);
      assert.equal(order.status, "REFUNDED");
      assert.equal(order.canCancel, false);
      assert.deepEqual(
        order.statusHistory.slice(-1).map((h) => [h.from, h.to, h.actor]),
        [["PAID", "REFUNDED", "system:payments"]],
      );
      const refunded = (await eventsOf(orderId)).at(-1);
      assert.deepEqual([refunded?.type, refunded?.data.wasShipped], ["order.refunded.v1", false], "it never shipped: inventory restocks");
      const before = await snapshotOf(orderId);
      for (const [mutation, args, to] of [
        [SHIP, { carrier: "DHL" }, "SHIPPED"],
        [DELIVER, {}, "DELIVERED"],
      ] as const) {
        const refused = await orders.execute(mutation, { id: orderId, ...args }, admin);
        assert.deepEqual(errorCodes(refused), ["CONFLICT"]);
        assert.deepEqual([refused.errors?.[0]?.extensions?.from, refused.errors?.[0]?.extensions?.to], ["REFUNDED", to]);
      }
      assert.deepEqual(await snapshotOf(orderId), before);
    });

    it("marks a shipped or delivered order REFUNDED when all its money is returned; a refunded shipment is not delivered", async () => {
      const shipped = await aShippedOrder();
      const delivered = await aShippedOrder();
      await orders.query(DELIVER, { id: delivered.orderId }, admin);

      await delivery.deliver(aPaymentRefunded(shipped.orderId, { amount: PRICE }));
      await delivery.deliver(aPaymentRefunded(delivered.orderId, { amount: PRICE }));

      assert.deepEqual((await orderOf(shipped.orderId)).statusHistory.at(-1)?.from, "SHIPPED");
      assert.deepEqual((await orderOf(delivered.orderId)).statusHistory.at(-1)?.from, "DELIVERED");
      assert.deepEqual([(await orderOf(shipped.orderId)).status, (await orderOf(delivered.orderId)).status], ["REFUNDED", "REFUNDED"]);
      assert.deepEqual(errorCodes(await orders.execute(DELIVER, { id: shipped.orderId }, admin)), ["CONFLICT"]);
      for (const { orderId } of [shipped, delivered]) {
        const refunded = (await eventsOf(orderId)).at(-1);
        assert.deepEqual([refunded?.type, refunded?.data.wasShipped], ["order.refunded.v1", true], "its units left: nothing to restock");
      }
    });
  });

  describe("cancelOrder", () => {
    it("lets the customer cancel an order waiting for payment: CANCELLED, order.cancelled with wasPaid false", async () => {
      const { orderId, userId } = await anOrder();

      const { cancelOrder } = await orders.query<{ cancelOrder: OrderView }>(
        CANCEL,
        { id: orderId, reason: "  ordered twice  " },
        aCustomer(userId),
      );

      assert.equal(cancelOrder.status, "CANCELLED");
      assert.equal(cancelOrder.canCancel, false);
      assert.deepEqual(cancelOrder.statusHistory.at(-1), {
        from: "PENDING_PAYMENT",
        to: "CANCELLED",
        actor: userId,
        reason: "ordered twice",
      });
      const cancelled = await lastEventOf(orderId);
      assert.equal(cancelled?.type, "order.cancelled.v1");
      assert.equal(cancelled?.data.wasPaid, false);
      assert.equal(cancelled?.data.reason, "ordered twice");
      assert.ok(orders.outboxNotifications.count > 0);
    });

    it("cancels a paid order with wasPaid true, and one whose payment failed", async () => {
      const paid = await aPaidOrder();
      const failed = await anOrder();
      await delivery.deliver(aPaymentFailed(failed.orderId));
      assert.equal((await orderOf(paid.orderId)).canCancel, true);

      await orders.query(CANCEL, { id: paid.orderId, reason: "no longer needed" }, aCustomer(paid.userId));
      await orders.query(CANCEL, { id: failed.orderId, reason: "gave up" }, aCustomer(failed.userId));

      assert.deepEqual((await lastEventOf(paid.orderId))?.data.wasPaid, true);
      assert.deepEqual((await lastEventOf(failed.orderId))?.data.wasPaid, false);
      assert.deepEqual((await orderOf(failed.orderId)).statusHistory.at(-1)?.from, "PAYMENT_FAILED");
    });

    it("lets an admin cancel any customer's order, as the actor in its history", async () => {
      const { orderId } = await anOrder();

      const { cancelOrder } = await orders.query<{ cancelOrder: OrderView }>(CANCEL, { id: orderId, reason: "fraud check" }, admin);

      assert.deepEqual(cancelOrder.statusHistory.at(-1), {
        from: "PENDING_PAYMENT",
        to: "CANCELLED",
        actor: admin.viewer.userId,
        reason: "fraud check",
      });
    });

    it("refuses another customer (FORBIDDEN), nobody signed in, an unknown order and a bad reason, changing nothing", async () => {
      const { orderId, userId } = await anOrder();
      const before = await snapshotOf(orderId);

      assert.deepEqual(errorCodes(await orders.execute(CANCEL, { id: orderId, reason: "mine now" }, aCustomer())), ["FORBIDDEN"]);
      assert.deepEqual(errorCodes(await orders.execute(CANCEL, { id: orderId, reason: "anonymous" })), ["UNAUTHENTICATED"]);
      assert.deepEqual(errorCodes(await orders.execute(CANCEL, { id: randomUUID(), reason: "x" }, aCustomer(userId))), ["NOT_FOUND"]);
      assert.deepEqual(errorCodes(await orders.execute(CANCEL, { id: "not-a-uuid", reason: "x" }, aCustomer(userId))), ["NOT_FOUND"]);
      assert.deepEqual(errorCodes(await orders.execute(CANCEL, { id: orderId, reason: "   " }, aCustomer(userId))), ["BAD_USER_INPUT"]);
      assert.deepEqual(errorCodes(await orders.execute(CANCEL, { id: orderId, reason: "x".repeat(501) }, aCustomer(userId))), [
        "BAD_USER_INPUT",
      ]);

      assert.deepEqual(await snapshotOf(orderId), before);
    });

    it("refuses to cancel a shipped, delivered or refunded order with CONFLICT naming both statuses, changing nothing", async () => {
      const shipped = await aShippedOrder();
      const delivered = await aShippedOrder();
      await orders.query(DELIVER, { id: delivered.orderId }, admin);
      const refunded = await aCancelledPaidOrder();
      await delivery.deliver(aPaymentRefunded(refunded.orderId, { amount: PRICE }));

      for (const [{ orderId, userId }, from] of [
        [shipped, "SHIPPED"],
        [delivered, "DELIVERED"],
        [refunded, "REFUNDED"],
      ] as const) {
        const before = await snapshotOf(orderId);
        const result = await orders.execute(CANCEL, { id: orderId, reason: "too late" }, aCustomer(userId));
        assert.deepEqual(errorCodes(result), ["CONFLICT"]);
        assert.deepEqual(result.errors?.[0]?.extensions?.from, from);
        assert.deepEqual(result.errors?.[0]?.extensions?.to, "CANCELLED");
        assert.deepEqual(await snapshotOf(orderId), before);
        assert.equal((await orderOf(orderId)).canCancel, false);
      }
    });

    it("returns a cancelled order unchanged when it is cancelled again, also when the cancellations race", async () => {
      const { orderId, userId } = await anOrder();

      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          orders.execute<{ cancelOrder: OrderView }>(CANCEL, { id: orderId, reason: "twice" }, aCustomer(userId)),
        ),
      );

      assert.deepEqual(
        results.map((r) => [r.errors, r.data?.cancelOrder.status]),
        results.map(() => [undefined, "CANCELLED"]),
      );
      assert.deepEqual(await typesOf(orderId), ["order.cancelled.v1"]);
      assert.equal((await orderOf(orderId)).statusHistory.length, 2);
    });
  });

  describe("markShipped and markDelivered", () => {
    it("ships a paid order (order.shipped with carrier and tracking number) and delivers it (order.delivered), as the admin", async () => {
      const { orderId } = await aPaidOrder();

      const { markShipped } = await orders.query<{ markShipped: OrderView }>(
        SHIP,
        { id: orderId, carrier: "DHL", tracking: "JD0123" },
        admin,
      );
      const { markDelivered } = await orders.query<{ markDelivered: OrderView }>(DELIVER, { id: orderId }, admin);

      assert.equal(markShipped.status, "SHIPPED");
      assert.equal(markShipped.canCancel, false);
      assert.deepEqual(markShipped.statusHistory.at(-1), {
        from: "PAID",
        to: "SHIPPED",
        actor: admin.viewer.userId,
        reason: "shipped with DHL",
      });
      assert.equal(markDelivered.status, "DELIVERED");
      assert.deepEqual(markDelivered.statusHistory.at(-1), { from: "SHIPPED", to: "DELIVERED", actor: admin.viewer.userId, reason: null });
      const [, shipped, delivered] = await eventsOf(orderId);
      assert.deepEqual([shipped?.type, shipped?.data.carrier, shipped?.data.trackingNumber], ["order.shipped.v1", "DHL", "JD0123"]);
      assert.equal(delivered?.type, "order.delivered.v1");
    });

    it("returns a shipped or delivered order unchanged when it is marked again", async () => {
      const { orderId } = await aShippedOrder();
      const shipped = await snapshotOf(orderId);
      await orders.query(SHIP, { id: orderId, carrier: "DHL" }, admin);
      assert.deepEqual(await snapshotOf(orderId), shipped);

      await orders.query(DELIVER, { id: orderId }, admin);
      const delivered = await snapshotOf(orderId);
      await orders.query(DELIVER, { id: orderId }, admin);
      assert.deepEqual(await snapshotOf(orderId), delivered);
    });

    it("refuses to ship an unpaid or cancelled order and to deliver an unshipped one with CONFLICT, changing nothing", async () => {
      const pending = await anOrder();
      const cancelled = await aCancelledPaidOrder();
      const paid = await aPaidOrder();
      const delivered = await aShippedOrder();
      await orders.query(DELIVER, { id: delivered.orderId }, admin);

      const refusals: [string, string, Record<string, unknown>, string, string][] = [
        [pending.orderId, SHIP, { carrier: "DHL" }, "PENDING_PAYMENT", "SHIPPED"],
        [cancelled.orderId, SHIP, { carrier: "DHL" }, "CANCELLED", "SHIPPED"],
        [delivered.orderId, SHIP, { carrier: "DHL" }, "DELIVERED", "SHIPPED"],
        [pending.orderId, DELIVER, {}, "PENDING_PAYMENT", "DELIVERED"],
        [paid.orderId, DELIVER, {}, "PAID", "DELIVERED"],
      ];
      for (const [orderId, mutation, args, from, to] of refusals) {
        const before = await snapshotOf(orderId);
        const result = await orders.execute(mutation, { id: orderId, ...args }, admin);
        assert.deepEqual(errorCodes(result), ["CONFLICT"]);
        assert.deepEqual([result.errors?.[0]?.extensions?.from, result.errors?.[0]?.extensions?.to], [from, to]);
        assert.deepEqual(await snapshotOf(orderId), before);
      }
    });

    it("lets only admins ship and deliver: the customer who owns the order is refused, bad carriers too", async () => {
      const { orderId, userId } = await aPaidOrder();
      const before = await snapshotOf(orderId);

      assert.deepEqual(errorCodes(await orders.execute(SHIP, { id: orderId, carrier: "DHL" }, aCustomer(userId))), ["FORBIDDEN"]);
      assert.deepEqual(errorCodes(await orders.execute(DELIVER, { id: orderId }, aCustomer(userId))), ["FORBIDDEN"]);
      assert.deepEqual(errorCodes(await orders.execute(SHIP, { id: orderId, carrier: "DHL" })), ["UNAUTHENTICATED"]);
      assert.deepEqual(errorCodes(await orders.execute(SHIP, { id: orderId, carrier: " " }, admin)), ["BAD_USER_INPUT"]);
      assert.deepEqual(errorCodes(await orders.execute(SHIP, { id: orderId, carrier: "DHL", tracking: "" }, admin)), ["BAD_USER_INPUT"]);
      assert.deepEqual(errorCodes(await orders.execute(SHIP, { id: randomUUID(), carrier: "DHL" }, admin)), ["NOT_FOUND"]);

      assert.deepEqual(await snapshotOf(orderId), before);
    });
  });

  describe("transitionOrder", () => {
    it("writes the status, the history row and the event in the caller's transaction: a rollback keeps none of them", async () => {
      const { orderId } = await anOrder();
      const before = await snapshotOf(orderId);

      await assert.rejects(
        orders.prisma.$transaction(async (tx) => {
          const result = await transitionOrder(tx, orderId, { to: "CANCELLED" }, { actor: "test", reason: "rolled back" });
          assert.equal(result.outcome, "changed");
          throw new Error("roll back");
        }),
        /roll back/,
      );

      assert.deepEqual(await snapshotOf(orderId), before);
    });
  });
});
