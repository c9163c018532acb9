import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { createInProcessBus, type EventOf, serializeEvent, topicOf } from "@storefront/events";
import { startSubgraph } from "@storefront/runtime";
import { silentLogger as silentServiceLogger } from "@storefront/service";
import { createEventDelivery, type EventDelivery, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { createPaymentsHandlers } from "../src/events/handlers.ts";
import { createSimulatedPaymentProvider, createSimulatorLedger, paymentsSubgraph } from "../src/index.ts";
import { anOrderPlaced } from "./builders.ts";

describe("payments records what an order owes when it is placed", () => {
  let payments: TestSubgraph<PrismaClient>;
  let delivery: EventDelivery;
  const deadLetters = () => delivery.deadLetters;

  before(async () => {
    payments = await startTestSubgraph(paymentsSubgraph);
    delivery = createEventDelivery({
      groupId: "payments",
      db: payments.prisma,
      handlers: createPaymentsHandlers({
        logger: silentServiceLogger(),
        provider: createSimulatedPaymentProvider({ ledger: createSimulatorLedger(payments.prisma) }),
      }),
    });
  });
  beforeEach(() => {
    delivery.deadLetters.length = 0;
  });
  after(async () => {
    await delivery.close();
    await payments.close();
  });

  /** Delivers an event the way the runtime does: through the idempotent consumer, with one try (a retry would hide a failure). */
  const deliver = (event: EventOf<"order.placed.v1">) => delivery.deliver(event);

  const amountDueOf = (orderId: string, prisma: PrismaClient = payments.prisma) =>
    prisma.amountDue.findUnique({ where: { orderId }, select: { orderId: true, userId: true, amount: true, currency: true } });

  it("records the order's total as its amount due, and the order then awaits payment", async () => {
    const event = anOrderPlaced({ total: { amount: 31_400, currency: "EUR" } });

    await deliver(event);

    assert.deepEqual(deadLetters(), []);
    assert.deepEqual(await amountDueOf(event.data.orderId), {
      orderId: event.data.orderId,
      userId: event.data.userId,
      amount: 31_400,
      currency: "EUR",
    });
    const data = await payments.query<{ _entities: unknown[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { amountDue { amount currency } paymentStatus payments { id } } } }`,
      { r: [{ __typename: "Order", id: event.data.orderId }] },
      { viewer: { userId: event.data.userId, role: "CUSTOMER", scopes: [] } },
    );
    assert.deepEqual(data._entities, [{ amountDue: { amount: 31_400, currency: "EUR" }, paymentStatus: "AWAITING_PAYMENT", payments: [] }]);
  });

  it("has one effect when the same event is delivered twice, even at the same time", async () => {
    const event = anOrderPlaced();

    await Promise.all([deliver(event), deliver(event)]);
    await deliver(event);

    assert.deepEqual(deadLetters(), []);
    assert.equal(await payments.prisma.amountDue.count({ where: { orderId: event.data.orderId } }), 1);
    assert.equal(await payments.prisma.processedEvent.count({ where: { eventId: event.id, consumerGroup: "payments" } }), 1);
  });

  it("keeps the first amount due when another event reports the same order", async () => {
    const first = anOrderPlaced({ total: { amount: 1_000, currency: "EUR" } });
    const second = anOrderPlaced({ orderId: first.data.orderId, userId: first.data.userId, total: { amount: 9_999, currency: "EUR" } });

    await deliver(first);
    await deliver(second);

    assert.deepEqual(deadLetters(), []);
    assert.equal((await amountDueOf(first.data.orderId))?.amount, 1_000);
  });

  it("is what the running subgraph's consumer group does with an order placed on the bus", async () => {
    const orderBus = createInProcessBus();
    const running = await startSubgraph(paymentsSubgraph, {
      database: payments.database.url ? { kind: "postgres", url: payments.database.url } : { kind: "pglite", dataDir: "memory://" },
      bus: orderBus,
      logger: silentServiceLogger(),
      production: false,
      port: 0,
      migrate: true,
      subgraphUrls: {},
    });
    try {
      const event = anOrderPlaced({ total: { amount: 2_500, currency: "EUR" } });
      await orderBus.publish([{ topic: topicOf(event.type), key: event.data.orderId, value: serializeEvent(event) }]);

      // read through the running subgraph's own client: on PGlite it has a database of its own
      const deadline = Date.now() + 5_000;
      while (!(await amountDueOf(event.data.orderId, running.prisma)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal((await amountDueOf(event.data.orderId, running.prisma))?.amount, 2_500);
    } finally {
      await running.close();
      await orderBus.close();
    }
  });
});
