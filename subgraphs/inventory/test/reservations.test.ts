import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import { createInProcessBus, serializeEvent, topicOf } from "@storefront/events";
import { startSubgraph } from "@storefront/runtime";
import { silentLogger as silentServiceLogger } from "@storefront/service";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { inventorySubgraph } from "../src/index.ts";
import { anOrderPlaced, aStockLevel } from "./builders.ts";
import { eventDelivery } from "./delivery.ts";

describe("inventory reserves stock when an order is placed", () => {
  let inventory: TestSubgraph<PrismaClient>;
  let delivery: ReturnType<typeof eventDelivery>;
  const deliver: ReturnType<typeof eventDelivery>["deliver"] = (event) => delivery.deliver(event);
  const deadLetters = () => delivery.deadLetters;

  before(async () => {
    inventory = await startTestSubgraph(inventorySubgraph);
    delivery = eventDelivery(inventory.prisma);
  });
  beforeEach(() => {
    delivery.deadLetters.length = 0;
  });
  after(async () => {
    await delivery.close();
    await inventory.close();
  });

  const stockOf = (productId: string) => inventory.prisma.stockLevel.findUniqueOrThrow({ where: { productId } });
  const reservationsOf = (orderId: string) =>
    inventory.prisma.reservation.findMany({
      where: { orderId },
      orderBy: { productId: "asc" },
      select: { productId: true, quantity: true, status: true, reason: true },
    });
  const movementsOf = (orderId: string) =>
    inventory.prisma.stockMovement.findMany({
      where: { orderId },
      orderBy: { productId: "asc" },
      select: { productId: true, kind: true, quantity: true },
    });

  it("holds the ordered quantities and books them in the ledger", async () => {
    const roomy = await aStockLevel(inventory.prisma, { onHand: 5 });
    const tight = await aStockLevel(inventory.prisma, { onHand: 2, reserved: 1 });
    const event = anOrderPlaced([
      { productId: roomy.productId, quantity: 3 },
      { productId: tight.productId, quantity: 1 },
    ]);

    await deliver(event);

    assert.deepEqual(deadLetters(), []);
    assert.equal((await stockOf(roomy.productId)).reserved, 3);
    assert.equal((await stockOf(tight.productId)).reserved, 2);
    const reservations = await reservationsOf(event.data.orderId);
    const movements = await movementsOf(event.data.orderId);
    assert.deepEqual(Object.fromEntries(reservations.map((r) => [r.productId, [r.status, r.quantity, r.reason]])), {
      [roomy.productId]: ["HELD", 3, null],
      [tight.productId]: ["HELD", 1, null],
    });
    assert.deepEqual(Object.fromEntries(movements.map((m) => [m.productId, [m.kind, m.quantity]])), {
      [roomy.productId]: ["RESERVED", 3],
      [tight.productId]: ["RESERVED", 1],
    });
  });

  it("sums the lines of one product into one reservation", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 5 });
    const event = anOrderPlaced([
      { productId: level.productId, quantity: 1 },
      { productId: level.productId, quantity: 2 },
    ]);
    await deliver(event);
    assert.equal((await stockOf(level.productId)).reserved, 3);
    assert.deepEqual(await reservationsOf(event.data.orderId), [{ productId: level.productId, quantity: 3, status: "HELD", reason: null }]);
  });

  it("reserves nothing of an order one of whose products lacks stock, and records why per line", async () => {
    const plenty = await aStockLevel(inventory.prisma, { onHand: 100 });
    const scarce = await aStockLevel(inventory.prisma, { onHand: 3, reserved: 2 });
    const neverStocked = randomUUID();
    const event = anOrderPlaced([
      { productId: plenty.productId, quantity: 1 },
      { productId: scarce.productId, quantity: 2 },
      { productId: neverStocked, quantity: 1 },
    ]);

    await deliver(event);

    assert.deepEqual(deadLetters(), []);
    assert.equal((await stockOf(plenty.productId)).reserved, 0);
    assert.equal((await stockOf(scarce.productId)).reserved, 2);
    const byProduct = Object.fromEntries(
      (await reservationsOf(event.data.orderId)).map((r) => [r.productId, [r.status, r.reason, r.quantity]]),
    );
    assert.deepEqual(byProduct, {
      [plenty.productId]: ["REJECTED", "other_item_unavailable", 1],
      [scarce.productId]: ["REJECTED", "insufficient_stock", 2],
      [neverStocked]: ["REJECTED", "insufficient_stock", 1],
    });
    assert.deepEqual(await movementsOf(event.data.orderId), []);
  });

  it("has one effect when the same event is delivered twice, or the same order arrives in another event", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 10 });
    const event = anOrderPlaced([{ productId: level.productId, quantity: 4 }]);
    const republished = anOrderPlaced([{ productId: level.productId, quantity: 4 }], { orderId: event.data.orderId });

    await deliver(event);
    await deliver(event);
    await Promise.all([deliver(republished), deliver(republished)]);

    assert.deepEqual(deadLetters(), []);
    assert.equal((await stockOf(level.productId)).reserved, 4);
    assert.equal((await reservationsOf(event.data.orderId)).length, 1);
    assert.equal((await movementsOf(event.data.orderId)).length, 1);
    const processed = await inventory.prisma.processedEvent.findMany({ where: { eventId: { in: [event.id, republished.id] } } });
    assert.equal(processed.length, 2, "both events are marked processed, each once");
  });

  it("never oversells: of ten orders racing for the last three units, exactly three get them", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 3 });
    const orders = Array.from({ length: 10 }, () => anOrderPlaced([{ productId: level.productId, quantity: 1 }]));

    await Promise.all(orders.map(deliver));

    assert.deepEqual(deadLetters(), []);
    const stock = await stockOf(level.productId);
    assert.equal(stock.reserved, 3);
    const held = await inventory.prisma.reservation.findMany({ where: { productId: level.productId, status: "HELD" } });
    const rejected = await inventory.prisma.reservation.findMany({ where: { productId: level.productId, status: "REJECTED" } });
    assert.equal(held.length, 3);
    assert.equal(rejected.length, 7);
    assert.equal(await inventory.prisma.stockMovement.count({ where: { productId: level.productId, kind: "RESERVED" } }), 3);
  });

  it("gives the units to exactly the orders that fit when quantities differ", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 5 });
    const quantities = [4, 3, 2, 2, 1, 5, 3];
    const orders = quantities.map((quantity) => anOrderPlaced([{ productId: level.productId, quantity }]));

    await Promise.all(orders.map(deliver));

    const held = await inventory.prisma.reservation.findMany({ where: { productId: level.productId, status: "HELD" } });
    const heldUnits = held.reduce((sum, r) => sum + r.quantity, 0);
    assert.equal((await stockOf(level.productId)).reserved, heldUnits);
    assert.ok(heldUnits <= 5, `held ${heldUnits} of 5 units`);
    // whatever won, no rejected order would have fitted into what is left
    const left = 5 - heldUnits;
    const rejected = await inventory.prisma.reservation.findMany({ where: { productId: level.productId, status: "REJECTED" } });
    assert.equal(held.length + rejected.length, quantities.length);
    assert.ok(
      rejected.every((r) => r.quantity > left),
      `a rejected order fits into the ${left} units left`,
    );
  });

  it("does not deadlock when orders lock the same products listed in opposite orders", async () => {
    const a = await aStockLevel(inventory.prisma, { onHand: 100 });
    const b = await aStockLevel(inventory.prisma, { onHand: 100 });
    const orders = Array.from({ length: 12 }, (_, i) =>
      anOrderPlaced(
        i % 2 === 0
          ? [
              { productId: a.productId, quantity: 1 },
              { productId: b.productId, quantity: 1 },
            ]
          : [
              { productId: b.productId, quantity: 1 },
              { productId: a.productId, quantity: 1 },
            ],
      ),
    );

    await Promise.all(orders.map(deliver));

    assert.deepEqual(deadLetters(), []);
    assert.equal((await stockOf(a.productId)).reserved, 12);
    assert.equal((await stockOf(b.productId)).reserved, 12);
  });

  it("is what the running subgraph's consumer group does with an order placed on the bus", async () => {
    const orderBus = createInProcessBus();
    const running = await startSubgraph(inventorySubgraph, {
      database: inventory.database.url ? { kind: "postgres", url: inventory.database.url } : { kind: "pglite", dataDir: "memory://" },
      bus: orderBus,
      logger: silentServiceLogger(),
      production: false,
      port: 0,
      migrate: true,
      subgraphUrls: {},
    });
    try {
      const level = await aStockLevel(running.prisma, { onHand: 2 });
      const event = anOrderPlaced([{ productId: level.productId, quantity: 2 }]);
      await orderBus.publish([{ topic: topicOf(event.type), key: event.data.orderId, value: serializeEvent(event) }]);

      const deadline = Date.now() + 5_000;
      while ((await running.prisma.reservation.count({ where: { orderId: event.data.orderId } })) === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const stock = await running.prisma.stockLevel.findUniqueOrThrow({ where: { productId: level.productId } });
      assert.equal(stock.reserved, 2);
    } finally {
      await running.close();
      await orderBus.close();
    }
  });
});
