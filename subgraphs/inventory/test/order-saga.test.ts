import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { type EventData, parseEnvelope } from "@storefront/events";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { inventorySubgraph } from "../src/index.ts";
import { anAdmin, anOrderCancelled, anOrderPaid, anOrderPlaced, anOrderRefunded, aStockLevel } from "./builders.ts";
import { eventDelivery } from "./delivery.ts";

const NEWEST_MOVEMENT = `query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Product {
      stockMovements(first: 1) { edges { node { kind quantity onHandChange reservedChange onHandAfter reservedAfter orderId reason actor } } }
    }
  }
}`;
type NewestMovement = { _entities: { stockMovements: { edges: { node: Record<string, unknown> }[] } }[] };
type Availability = EventData<"inventory.availability_changed.v1">;

describe("inventory commits a paid order's stock, releases a cancelled one's, and restocks a paid one's cancelled before shipping", () => {
  let inventory: TestSubgraph<PrismaClient>;
  let delivery: ReturnType<typeof eventDelivery>;

  before(async () => {
    inventory = await startTestSubgraph(inventorySubgraph);
    delivery = eventDelivery(inventory.prisma);
  });
  beforeEach(() => {
    delivery.deadLetters.length = 0;
  });
  after(async () => {
    assert.deepEqual(delivery.deadLetters, [], "no event was dead-lettered");
    await delivery.close();
    await inventory.close();
  });

  const stockOf = async (productId: string) => {
    const { onHand, reserved } = await inventory.prisma.stockLevel.findUniqueOrThrow({ where: { productId } });
    return { onHand, reserved };
  };
  const statusesOf = async (orderId: string) =>
    (await inventory.prisma.reservation.findMany({ where: { orderId }, orderBy: { productId: "asc" } })).map((r) => [r.status, r.reason]);
  const ledgerOf = (orderId: string) =>
    inventory.prisma.stockMovement.findMany({
      where: { orderId },
      orderBy: [{ createdAt: "asc" }, { kind: "asc" }],
      select: { kind: true, quantity: true, reason: true, actorId: true, onHandAfter: true, reservedAfter: true },
    });

  /** The product's inventory.availability_changed.v1 reports in the outbox, oldest first, without their time. */
  const reportsOf = async (productId: string) =>
    (await inventory.prisma.outboxEvent.findMany({ where: { key: productId }, orderBy: { seq: "asc" } })).map((row) => {
      const event = parseEnvelope(JSON.stringify(row.payload));
      assert.equal(event.type, "inventory.availability_changed.v1");
      const { inStock, available, version } = event.data as Availability;
      return { inStock, available, version };
    });
  const versionOf = async (productId: string) => (await inventory.prisma.stockLevel.findUniqueOrThrow({ where: { productId } })).version;

  /** A product with stock and an order placed (and reserved) for `quantity` of it. */
  async function aReservedOrder(stock: { onHand: number; reserved?: number }, quantity: number) {
    const level = await aStockLevel(inventory.prisma, stock);
    const placed = anOrderPlaced([{ productId: level.productId, quantity }]);
    await delivery.deliver(placed);
    return { productId: level.productId, orderId: placed.data.orderId, placed };
  }

  it("takes a paid order's units out of stock: on hand and reserved both fall, booked as COMMITTED", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 10, reserved: 2 }, 3);
    assert.deepEqual(await stockOf(productId), { onHand: 10, reserved: 5 });

    await delivery.deliver(anOrderPaid(orderId));

    assert.deepEqual(await stockOf(productId), { onHand: 7, reserved: 2 });
    assert.deepEqual(await statusesOf(orderId), [["COMMITTED", null]]);
    assert.deepEqual(await ledgerOf(orderId), [
      { kind: "RESERVED", quantity: 3, reason: null, actorId: null, onHandAfter: 10, reservedAfter: 5 },
      { kind: "COMMITTED", quantity: 3, reason: "order_paid", actorId: null, onHandAfter: 7, reservedAfter: 2 },
    ]);
  });

  it("makes a cancelled order's units available again, booked as RELEASED", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 4 }, 4);

    await delivery.deliver(anOrderCancelled(orderId));

    assert.deepEqual(await stockOf(productId), { onHand: 4, reserved: 0 });
    assert.deepEqual(await statusesOf(orderId), [["RELEASED", "order_cancelled"]]);
    assert.deepEqual((await ledgerOf(orderId)).at(-1), {
      kind: "RELEASED",
      quantity: 4,
      reason: "order_cancelled",
      actorId: null,
      onHandAfter: 4,
      reservedAfter: 0,
    });
  });

  it("commits a paid order once, however often the event is delivered", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 5 }, 2);
    const paid = anOrderPaid(orderId);

    await delivery.deliver(paid);
    await delivery.deliver(paid);
    await Promise.all([delivery.deliver(paid), delivery.deliver(anOrderPaid(orderId))]);

    assert.deepEqual(await stockOf(productId), { onHand: 3, reserved: 0 });
    assert.equal((await ledgerOf(orderId)).filter((m) => m.kind === "COMMITTED").length, 1);
  });

  it("releases a cancelled order once, however often the event is delivered", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 5 }, 2);
    const cancelled = anOrderCancelled(orderId);

    await Promise.all([delivery.deliver(cancelled), delivery.deliver(cancelled), delivery.deliver(anOrderCancelled(orderId))]);
    await delivery.deliver(cancelled);

    assert.deepEqual(await stockOf(productId), { onHand: 5, reserved: 0 });
    assert.equal((await ledgerOf(orderId)).filter((m) => m.kind === "RELEASED").length, 1);
  });

  it("puts a paid order's units back on hand when it is cancelled before shipping, booked as RESTOCKED and announced", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 10, reserved: 2 }, 3);
    await delivery.deliver(anOrderPaid(orderId));
    assert.deepEqual(await stockOf(productId), { onHand: 7, reserved: 2 });

    await delivery.deliver(anOrderCancelled(orderId, { wasPaid: true }));

    // on hand is back where it was before the payment; the other order's 2 reserved units are untouched
    assert.deepEqual(await stockOf(productId), { onHand: 10, reserved: 2 });
    assert.deepEqual(await statusesOf(orderId), [["RESTOCKED", "order_cancelled"]]);
    assert.deepEqual(await ledgerOf(orderId), [
      { kind: "RESERVED", quantity: 3, reason: null, actorId: null, onHandAfter: 10, reservedAfter: 5 },
      { kind: "COMMITTED", quantity: 3, reason: "order_paid", actorId: null, onHandAfter: 7, reservedAfter: 2 },
      { kind: "RESTOCKED", quantity: 3, reason: "order_cancelled", actorId: null, onHandAfter: 10, reservedAfter: 2 },
    ]);
    assert.deepEqual(await reportsOf(productId), [
      { inStock: true, available: 5, version: 1 },
      { inStock: true, available: 5, version: 2 },
      { inStock: true, available: 8, version: 3 },
    ]);
    assert.equal(await versionOf(productId), 3);
  });

  it("shows the return in the product's ledger: what, how much, why and who", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 6 }, 4);
    await delivery.deliver(anOrderPaid(orderId));
    await delivery.deliver(anOrderCancelled(orderId, { wasPaid: true }));

    const result = await inventory.query<NewestMovement>(NEWEST_MOVEMENT, { r: [{ __typename: "Product", id: productId }] }, anAdmin());

    assert.deepEqual(result._entities[0]?.stockMovements.edges[0]?.node, {
      kind: "RESTOCKED",
      quantity: 4,
      onHandChange: 4,
      reservedChange: 0,
      onHandAfter: 6,
      reservedAfter: 0,
      orderId,
      reason: "order_cancelled",
      actor: "system:inventory",
    });
  });

  it("restocks a cancelled paid order once, however often and however many times it is cancelled", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 5 }, 2);
    await delivery.deliver(anOrderPaid(orderId));
    const cancelled = anOrderCancelled(orderId, { wasPaid: true });

    await delivery.deliver(cancelled);
    const reportsAfterFirst = await reportsOf(productId);
    await delivery.deliver(cancelled);
    await Promise.all([delivery.deliver(cancelled), delivery.deliver(anOrderCancelled(orderId, { wasPaid: true }))]);
    await delivery.deliver(anOrderCancelled(orderId));
    await delivery.deliver(anOrderPaid(orderId));

    assert.deepEqual(await stockOf(productId), { onHand: 5, reserved: 0 });
    assert.deepEqual(await statusesOf(orderId), [["RESTOCKED", "order_cancelled"]]);
    assert.deepEqual(
      (await ledgerOf(orderId)).map((m) => m.kind),
      ["RESERVED", "COMMITTED", "RESTOCKED"],
    );
    assert.deepEqual(await reportsOf(productId), reportsAfterFirst, "nothing more is announced");
  });

  it("puts a paid order's units back on hand once when all its money is refunded before it ships", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 6 }, 2);
    await delivery.deliver(anOrderPaid(orderId));
    const refunded = anOrderRefunded(orderId, { wasShipped: false });

    await delivery.deliver(refunded);
    await Promise.all([delivery.deliver(refunded), delivery.deliver(anOrderRefunded(orderId, { wasShipped: false }))]);

    assert.deepEqual(await stockOf(productId), { onHand: 6, reserved: 0 });
    assert.deepEqual(await statusesOf(orderId), [["RESTOCKED", "order_refunded"]]);
    assert.deepEqual(
      (await ledgerOf(orderId)).map((m) => [m.kind, m.reason]),
      [
        ["RESERVED", null],
        ["COMMITTED", "order_paid"],
        ["RESTOCKED", "order_refunded"],
      ],
    );
  });

  it("leaves stock as it is when a shipped order is refunded, or one already cancelled and restocked", async () => {
    const shipped = await aReservedOrder({ onHand: 6 }, 2);
    await delivery.deliver(anOrderPaid(shipped.orderId));
    const cancelled = await aReservedOrder({ onHand: 6 }, 2);
    await delivery.deliver(anOrderPaid(cancelled.orderId));
    await delivery.deliver(anOrderCancelled(cancelled.orderId, { wasPaid: true }));
    const ledgers = [await ledgerOf(shipped.orderId), await ledgerOf(cancelled.orderId)];

    await delivery.deliver(anOrderRefunded(shipped.orderId, { wasShipped: true }));
    await delivery.deliver(anOrderRefunded(cancelled.orderId, { wasShipped: false }));

    assert.deepEqual(await stockOf(shipped.productId), { onHand: 4, reserved: 0 }, "the shipped units are gone");
    assert.deepEqual(await stockOf(cancelled.productId), { onHand: 6, reserved: 0 }, "restocked once, at the cancellation");
    assert.deepEqual([await ledgerOf(shipped.orderId), await ledgerOf(cancelled.orderId)], ledgers);
  });

  it("restocks every line of a cancelled paid many-product order together", async () => {
    const a = await aStockLevel(inventory.prisma, { onHand: 3 });
    const b = await aStockLevel(inventory.prisma, { onHand: 8, reserved: 1 });
    const placed = anOrderPlaced([
      { productId: a.productId, quantity: 1 },
      { productId: b.productId, quantity: 5 },
    ]);
    await delivery.deliver(placed);
    await delivery.deliver(anOrderPaid(placed.data.orderId));

    await delivery.deliver(anOrderCancelled(placed.data.orderId, { wasPaid: true }));

    assert.deepEqual(await stockOf(a.productId), { onHand: 3, reserved: 0 });
    assert.deepEqual(await stockOf(b.productId), { onHand: 8, reserved: 1 });
    assert.deepEqual(await statusesOf(placed.data.orderId), [
      ["RESTOCKED", "order_cancelled"],
      ["RESTOCKED", "order_cancelled"],
    ]);
    assert.deepEqual((await reportsOf(a.productId)).at(-1), { inStock: true, available: 3, version: 3 });
    assert.deepEqual((await reportsOf(b.productId)).at(-1), { inStock: true, available: 7, version: 3 });
  });

  it("only releases an unpaid cancelled order's units: on hand stays, nothing is restocked", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 5, reserved: 1 }, 3);

    await delivery.deliver(anOrderCancelled(orderId, { wasPaid: false }));

    assert.deepEqual(await stockOf(productId), { onHand: 5, reserved: 1 });
    assert.deepEqual(await statusesOf(orderId), [["RELEASED", "order_cancelled"]]);
    assert.deepEqual(
      (await ledgerOf(orderId)).map((m) => [m.kind, m.onHandAfter, m.reservedAfter]),
      [
        ["RESERVED", 5, 4],
        ["RELEASED", 5, 1],
      ],
    );
  });

  it("releases the held units of a paid order whose payment inventory has not seen yet, and ignores the late payment", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 5 }, 2);

    await delivery.deliver(anOrderCancelled(orderId, { wasPaid: true }));
    await delivery.deliver(anOrderPaid(orderId));

    assert.deepEqual(await stockOf(productId), { onHand: 5, reserved: 0 });
    assert.deepEqual(await statusesOf(orderId), [["RELEASED", "order_cancelled"]]);
    assert.deepEqual(
      (await ledgerOf(orderId)).map((m) => m.kind),
      ["RESERVED", "RELEASED"],
    );
  });

  it("does not commit a cancelled order's released units when a payment arrives late", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 5 }, 2);
    await delivery.deliver(anOrderCancelled(orderId));

    await delivery.deliver(anOrderPaid(orderId));

    assert.deepEqual(await stockOf(productId), { onHand: 5, reserved: 0 });
    assert.deepEqual(await statusesOf(orderId), [["RELEASED", "order_cancelled"]]);
  });

  it("changes nothing when an order whose reservation was rejected is paid or cancelled", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 1 }, 2);
    assert.deepEqual(await statusesOf(orderId), [["REJECTED", "insufficient_stock"]]);

    await delivery.deliver(anOrderPaid(orderId));
    await delivery.deliver(anOrderCancelled(orderId));

    assert.deepEqual(await stockOf(productId), { onHand: 1, reserved: 0 });
    assert.deepEqual(await statusesOf(orderId), [["REJECTED", "insufficient_stock"]]);
    assert.deepEqual(await ledgerOf(orderId), []);
  });

  it("holds nothing for an order whose cancellation arrived before it was placed here", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 5 });
    const placed = anOrderPlaced([{ productId: level.productId, quantity: 2 }]);

    await delivery.deliver(anOrderCancelled(placed.data.orderId));
    await delivery.deliver(placed);

    assert.deepEqual(await stockOf(level.productId), { onHand: 5, reserved: 0 });
    assert.deepEqual(await statusesOf(placed.data.orderId), [["REJECTED", "order_cancelled"]]);
    assert.deepEqual(await ledgerOf(placed.data.orderId), []);
  });

  it("holds nothing for an order paid and then cancelled before it was placed here", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 5 });
    const placed = anOrderPlaced([{ productId: level.productId, quantity: 2 }]);

    await delivery.deliver(anOrderPaid(placed.data.orderId));
    await delivery.deliver(anOrderCancelled(placed.data.orderId, { wasPaid: true }));
    await delivery.deliver(placed);

    assert.deepEqual(await stockOf(level.productId), { onHand: 5, reserved: 0 });
    assert.deepEqual(await statusesOf(placed.data.orderId), [["REJECTED", "order_cancelled"]]);
    assert.deepEqual(await ledgerOf(placed.data.orderId), []);
  });

  it("holds and commits at once an order whose payment arrived before it was placed here", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 5 });
    const placed = anOrderPlaced([{ productId: level.productId, quantity: 2 }]);

    await delivery.deliver(anOrderPaid(placed.data.orderId));
    await delivery.deliver(placed);

    assert.deepEqual(await stockOf(level.productId), { onHand: 3, reserved: 0 });
    assert.deepEqual(await statusesOf(placed.data.orderId), [["COMMITTED", null]]);
    assert.deepEqual(
      (await ledgerOf(placed.data.orderId)).map((m) => m.kind),
      ["RESERVED", "COMMITTED"],
    );
  });

  it("settles every line of a many-product order together", async () => {
    const a = await aStockLevel(inventory.prisma, { onHand: 3 });
    const b = await aStockLevel(inventory.prisma, { onHand: 8 });
    const placed = anOrderPlaced([
      { productId: a.productId, quantity: 1 },
      { productId: b.productId, quantity: 5 },
    ]);
    await delivery.deliver(placed);

    await delivery.deliver(anOrderPaid(placed.data.orderId));

    assert.deepEqual(await stockOf(a.productId), { onHand: 2, reserved: 0 });
    assert.deepEqual(await stockOf(b.productId), { onHand: 3, reserved: 0 });
    assert.deepEqual(await statusesOf(placed.data.orderId), [
      ["COMMITTED", null],
      ["COMMITTED", null],
    ]);
  });
});
