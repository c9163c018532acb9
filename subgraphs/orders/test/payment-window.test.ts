import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { silentLogger } from "@storefront/service";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { createOrderStore } from "../src/data/order-store.ts";
import { ordersSubgraph } from "../src/index.ts";
import { createPaymentWindowJob, PAYMENT_WINDOW_ACTOR, PAYMENT_WINDOW_REASON, paymentWindowMsFromEnv } from "../src/jobs/payment-window.ts";
import { anOrderIn } from "./builders.ts";

const MINUTE = 60_000;

describe("the payment window: unpaid orders are cancelled after it closes", () => {
  let orders: TestSubgraph<PrismaClient>;
  before(async () => {
    orders = await startTestSubgraph(ordersSubgraph);
  });
  after(() => orders?.close());

  /** An order placed `minutesAgo` minutes ago in `status`. */
  async function anOrderPlaced(
    minutesAgo: number,
    status: "PENDING_PAYMENT" | "PAYMENT_FAILED" | "PAID" | "CANCELLED" = "PENDING_PAYMENT",
  ) {
    const order = await anOrderIn(orders.prisma);
    return orders.prisma.order.update({
      where: { id: order.id },
      data: { status, createdAt: new Date(Date.now() - minutesAgo * MINUTE) },
    });
  }
  const job = (notified = { count: 0 }) =>
    createPaymentWindowJob({
      store: createOrderStore(orders.prisma),
      outbox: { notify: () => void notified.count++ },
      logger: silentLogger(),
      windowMs: 30 * MINUTE,
    });

  it("cancels orders unpaid for longer than the window, with order.cancelled and a history entry, and leaves the rest", async () => {
    const overdue = await anOrderPlaced(45);
    const failedOverdue = await anOrderPlaced(31, "PAYMENT_FAILED");
    const recent = await anOrderPlaced(10);
    const paid = await anOrderPlaced(120, "PAID");
    const notified = { count: 0 };

    const cancelled = await job(notified).run();

    const statusOf = async (id: string) => (await orders.prisma.order.findUniqueOrThrow({ where: { id } })).status;
    assert.ok(cancelled >= 2);
    assert.equal(await statusOf(overdue.id), "CANCELLED");
    assert.equal(await statusOf(failedOverdue.id), "CANCELLED");
    assert.equal(await statusOf(recent.id), "PENDING_PAYMENT");
    assert.equal(await statusOf(paid.id), "PAID");
    const [change] = await orders.prisma.orderStatusChange.findMany({ where: { orderId: overdue.id, toStatus: "CANCELLED" } });
    assert.equal(change?.actor, PAYMENT_WINDOW_ACTOR);
    assert.equal(change?.reason, PAYMENT_WINDOW_REASON);
    const events = await orders.prisma.outboxEvent.findMany({ where: { key: overdue.id, type: "order.cancelled.v1" } });
    assert.equal(events.length, 1);
    const payload = events[0]?.payload as { data: { wasPaid: boolean } } | undefined;
    assert.equal(payload?.data.wasPaid, false);
    assert.equal(notified.count, 1, "the relay is woken once per sweep that cancelled something");
  });

  it("is a no-op the second time, also when two replicas sweep at once", async () => {
    const overdue = await anOrderPlaced(60);

    const [first, second] = await Promise.all([job().run(), job().run()]);
    const again = await job().run();

    assert.equal(first + second >= 1, true);
    assert.equal(again, 0);
    assert.equal(await orders.prisma.orderStatusChange.count({ where: { orderId: overdue.id, toStatus: "CANCELLED" } }), 1);
    assert.equal(await orders.prisma.outboxEvent.count({ where: { key: overdue.id, type: "order.cancelled.v1" } }), 1);
  });

  it("reads PAYMENT_WINDOW_MINUTES, 30 by default, and refuses nonsense", () => {
    assert.equal(paymentWindowMsFromEnv({}), 30 * MINUTE);
    assert.equal(paymentWindowMsFromEnv({ PAYMENT_WINDOW_MINUTES: "5" }), 5 * MINUTE);
    assert.throws(() => paymentWindowMsFromEnv({ PAYMENT_WINDOW_MINUTES: "0" }), /PAYMENT_WINDOW_MINUTES/);
    assert.throws(() => paymentWindowMsFromEnv({ PAYMENT_WINDOW_MINUTES: "soon" }), /PAYMENT_WINDOW_MINUTES/);
  });
});
