import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { inventorySubgraph } from "../src/index.ts";
import { anOrderCancelled, anOrderPaid, anOrderPlaced, aStockLevel } from "./builders.ts";
import { eventDelivery } from "./delivery.ts";

describe("inventory commits a paid order's stock and releases a cancelled one's", () => {
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

  it("keeps a paid order's units gone when it is cancelled afterwards (a return is booked by hand)", async () => {
    const { productId, orderId } = await aReservedOrder({ onHand: 5 }, 2);
    await delivery.deliver(anOrderPaid(orderId));

    await delivery.deliver(anOrderCancelled(orderId, { wasPaid: true }));

    assert.deepEqual(await stockOf(productId), { onHand: 3, reserved: 0 });
    assert.deepEqual(await statusesOf(orderId), [["COMMITTED", null]]);
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
