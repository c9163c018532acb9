import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import { createInProcessBus, type EventOf, serializeEvent, topicOf } from "@storefront/events";
import { startSubgraph } from "@storefront/runtime";
import { silentLogger as silentServiceLogger } from "@storefront/service";
import { createEventDelivery, type EventDelivery, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { createCartHandlers } from "../src/events/handlers.ts";
import { cartSubgraph } from "../src/index.ts";
import { aCartOf, anOrderPlaced, anUnreachableUrl, storedCart } from "./builders.ts";

describe("the cart takes out what was ordered when an order is placed", () => {
  let cart: TestSubgraph<PrismaClient>;
  let subgraphUrls: Record<string, string>;
  let delivery: EventDelivery;
  const deadLetters = () => delivery.deadLetters;

  before(async () => {
    // Reacting to order.placed asks no other subgraph: nothing listens at these URLs.
    subgraphUrls = { catalog: await anUnreachableUrl(), inventory: await anUnreachableUrl() };
    cart = await startTestSubgraph(cartSubgraph, { subgraphUrls });
    delivery = createEventDelivery({ groupId: "cart", db: cart.prisma, handlers: createCartHandlers({ logger: silentServiceLogger() }) });
  });
  beforeEach(() => {
    delivery.deadLetters.length = 0;
  });
  after(async () => {
    await delivery.close();
    await cart.close();
  });

  /** Delivers an event the way the runtime does: through the idempotent consumer, with one try (a retry would hide a failure). */
  const deliver = (event: EventOf<"order.placed.v1">) => delivery.deliver(event);

  const linesOf = async (userId: string) =>
    Object.fromEntries((await storedCart(cart.prisma, userId))?.items.map((item) => [item.productId, item.quantity]) ?? []);

  it("removes the ordered units, and keeps what was added after checking out", async () => {
    const [kettle, mugs, later] = [randomUUID(), randomUUID(), randomUUID()];
    const userId = randomUUID();
    await aCartOf(cart.prisma, userId, [
      { productId: kettle, quantity: 1 },
      { productId: mugs, quantity: 5 },
      { productId: later, quantity: 2 },
    ]);
    const before = await storedCart(cart.prisma, userId);

    await deliver(
      anOrderPlaced(userId, [
        { productId: kettle, quantity: 1 },
        { productId: mugs, quantity: 2 },
        { productId: mugs, quantity: 1 },
      ]),
    );

    assert.deepEqual(deadLetters(), []);
    assert.deepEqual(await linesOf(userId), { [mugs]: 2, [later]: 2 });
    const after = await storedCart(cart.prisma, userId);
    assert.ok(after && before && after.updatedAt > before.updatedAt, "the cart changed");
  });

  it("removes a line whose units were all ordered, even when the order had more", async () => {
    const product = randomUUID();
    const userId = randomUUID();
    await aCartOf(cart.prisma, userId, [{ productId: product, quantity: 2 }]);

    await deliver(anOrderPlaced(userId, [{ productId: product, quantity: 3 }]));

    assert.deepEqual(await linesOf(userId), {});
  });

  it("has one effect when the same event is delivered twice, or the same order arrives in another event", async () => {
    const product = randomUUID();
    const userId = randomUUID();
    await aCartOf(cart.prisma, userId, [{ productId: product, quantity: 10 }]);
    const event = anOrderPlaced(userId, [{ productId: product, quantity: 3 }]);
    const republished = anOrderPlaced(userId, [{ productId: product, quantity: 3 }], { orderId: event.data.orderId });

    await deliver(event);
    await deliver(event);
    await Promise.all([deliver(republished), deliver(republished)]);

    assert.deepEqual(deadLetters(), []);
    assert.deepEqual(await linesOf(userId), { [product]: 7 });
    assert.equal(await cart.prisma.checkedOutOrder.count({ where: { orderId: event.data.orderId } }), 1);
    const processed = await cart.prisma.processedEvent.findMany({ where: { eventId: { in: [event.id, republished.id] } } });
    assert.equal(processed.length, 2, "both events are marked processed, each once");
  });

  it("takes each of two orders out once, whatever order they arrive in", async () => {
    const product = randomUUID();
    const userId = randomUUID();
    await aCartOf(cart.prisma, userId, [{ productId: product, quantity: 10 }]);
    const first = anOrderPlaced(userId, [{ productId: product, quantity: 2 }]);
    const second = anOrderPlaced(userId, [{ productId: product, quantity: 3 }]);

    await Promise.all([deliver(second), deliver(first), deliver(second)]);

    assert.deepEqual(await linesOf(userId), { [product]: 5 });
  });

  it("changes nothing, and stores no cart, for a customer who has none", async () => {
    const withoutCart = randomUUID();
    const otherCustomer = randomUUID();
    const product = randomUUID();
    await aCartOf(cart.prisma, otherCustomer, [{ productId: product, quantity: 1 }]);
    const theirs = await storedCart(cart.prisma, otherCustomer);

    await deliver(anOrderPlaced(withoutCart, [{ productId: product, quantity: 1 }]));

    assert.deepEqual(deadLetters(), []);
    assert.equal(await storedCart(cart.prisma, withoutCart), null);
    assert.deepEqual(await storedCart(cart.prisma, otherCustomer), theirs, "another customer's cart is not touched");
  });

  it("is what the running subgraph's consumer group does with an order placed on the bus", async () => {
    const orderBus = createInProcessBus();
    const running = await startSubgraph(cartSubgraph, {
      database: cart.database.url ? { kind: "postgres", url: cart.database.url } : { kind: "pglite", dataDir: "memory://" },
      bus: orderBus,
      logger: silentServiceLogger(),
      production: false,
      port: 0,
      migrate: true,
      subgraphUrls,
    });
    try {
      const product = randomUUID();
      const userId = randomUUID();
      await aCartOf(running.prisma, userId, [{ productId: product, quantity: 3 }]);
      const event = anOrderPlaced(userId, [{ productId: product, quantity: 1 }]);
      await orderBus.publish([{ topic: topicOf(event.type), key: event.data.orderId, value: serializeEvent(event) }]);

      const deadline = Date.now() + 5_000;
      while ((await running.prisma.checkedOutOrder.count({ where: { orderId: event.data.orderId } })) === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const stored = await running.prisma.cartItem.findMany({ where: { cart: { userId } }, select: { quantity: true } });
      assert.deepEqual(stored, [{ quantity: 2 }]);
    } finally {
      await running.close();
      await orderBus.close();
    }
  });
});
