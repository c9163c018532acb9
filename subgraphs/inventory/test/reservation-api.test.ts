import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { errorCodes, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { inventorySubgraph } from "../src/index.ts";
import { aCustomer, anAdmin, anonymous, aStockLevel, theCheckout } from "./builders.ts";

const RESERVATION = `orderId status lines { product { id } quantity status reason }`;
const RESERVE = `mutation($input: ReserveStockInput!) { reserveStock(input: $input) { ${RESERVATION} } }`;
const RELEASE = `mutation($orderId: ID!, $reason: String) { releaseStock(orderId: $orderId, reason: $reason) { ${RESERVATION} } }`;
const COMMIT = `mutation($orderId: ID!) { commitStock(orderId: $orderId) { ${RESERVATION} } }`;
const RESERVATION_OF = `query($orderId: ID!) { stockReservation(orderId: $orderId) { ${RESERVATION} } }`;

type Line = { product: { id: string }; quantity: number; status: string; reason: string | null };
type Reservation = { orderId: string; status: string | null; lines: Line[] };

describe("the checkout reserves, releases and commits an order's stock through the API", () => {
  let inventory: TestSubgraph<PrismaClient>;
  const checkout = theCheckout();

  before(async () => {
    inventory = await startTestSubgraph(inventorySubgraph);
  });
  after(() => inventory.close());

  const stockOf = async (productId: string) => {
    const { onHand, reserved } = await inventory.prisma.stockLevel.findUniqueOrThrow({ where: { productId } });
    return { onHand, reserved };
  };
  const reserve = async (orderId: string, items: { productId: string; quantity: number }[], as = checkout) =>
    (await inventory.query<{ reserveStock: Reservation }>(RESERVE, { input: { orderId, items } }, as)).reserveStock;
  const release = async (orderId: string, reason?: string) =>
    (await inventory.query<{ releaseStock: Reservation }>(RELEASE, { orderId, reason }, checkout)).releaseStock;
  const commit = async (orderId: string) =>
    (await inventory.query<{ commitStock: Reservation }>(COMMIT, { orderId }, checkout)).commitStock;
  const movementsOf = (orderId: string) =>
    inventory.prisma.stockMovement.findMany({ where: { orderId }, orderBy: [{ createdAt: "asc" }, { kind: "asc" }] });

  it("holds every line of an order and books it, with the checkout as the actor", async () => {
    const a = await aStockLevel(inventory.prisma, { onHand: 5 });
    const b = await aStockLevel(inventory.prisma, { onHand: 2 });
    const orderId = randomUUID();

    const reservation = await reserve(orderId, [
      { productId: a.productId, quantity: 1 },
      { productId: b.productId, quantity: 2 },
      { productId: a.productId, quantity: 2 },
    ]);

    assert.equal(reservation.orderId, orderId);
    assert.equal(reservation.status, "HELD");
    assert.deepEqual(Object.fromEntries(reservation.lines.map((l) => [l.product.id, [l.quantity, l.status, l.reason]])), {
      [a.productId]: [3, "HELD", null],
      [b.productId]: [2, "HELD", null],
    });
    assert.deepEqual(await stockOf(a.productId), { onHand: 5, reserved: 3 });
    assert.deepEqual(await stockOf(b.productId), { onHand: 2, reserved: 2 });
    const movements = await movementsOf(orderId);
    assert.deepEqual(
      movements.map((m) => [m.kind, m.actorId]),
      [
        ["RESERVED", checkout.viewer.userId],
        ["RESERVED", checkout.viewer.userId],
      ],
    );
  });

  it("refuses a whole order, holding nothing, when one line does not fit, and says why per line", async () => {
    const plenty = await aStockLevel(inventory.prisma, { onHand: 9 });
    const scarce = await aStockLevel(inventory.prisma, { onHand: 3, reserved: 2 });
    const orderId = randomUUID();

    const reservation = await reserve(orderId, [
      { productId: plenty.productId, quantity: 1 },
      { productId: scarce.productId, quantity: 2 },
    ]);

    assert.equal(reservation.status, "REJECTED");
    assert.deepEqual(Object.fromEntries(reservation.lines.map((l) => [l.product.id, [l.status, l.reason]])), {
      [plenty.productId]: ["REJECTED", "other_item_unavailable"],
      [scarce.productId]: ["REJECTED", "insufficient_stock"],
    });
    assert.deepEqual(await stockOf(plenty.productId), { onHand: 9, reserved: 0 });
    assert.deepEqual(await stockOf(scarce.productId), { onHand: 3, reserved: 2 });
    assert.deepEqual(await movementsOf(orderId), []);
  });

  it("reserves an order once: asking again, even for other items or at the same time, returns the first decision", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 10 });
    const orderId = randomUUID();
    const items = [{ productId: level.productId, quantity: 4 }];

    const results = await Promise.all(Array.from({ length: 8 }, () => reserve(orderId, items)));
    const again = await reserve(orderId, [{ productId: level.productId, quantity: 9 }]);

    for (const result of [...results, again]) assert.deepEqual(result, results[0]);
    assert.deepEqual(await stockOf(level.productId), { onHand: 10, reserved: 4 });
    assert.equal((await movementsOf(orderId)).length, 1);
  });

  it("never oversells: of 20 orders racing for the last 5 units, exactly 5 get one", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 7, reserved: 2 });
    const orderIds = Array.from({ length: 20 }, () => randomUUID());

    const results = await Promise.all(orderIds.map((orderId) => reserve(orderId, [{ productId: level.productId, quantity: 1 }])));

    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === "HELD").length, 5);
    assert.equal(statuses.filter((s) => s === "REJECTED").length, 15);
    assert.deepEqual(await stockOf(level.productId), { onHand: 7, reserved: 7 });
    const reserved = await inventory.prisma.stockMovement.aggregate({
      where: { productId: level.productId, kind: "RESERVED" },
      _sum: { quantity: true },
    });
    assert.equal(reserved._sum.quantity, 5, "the ledger books exactly the units held");
  });

  it("releases a held order's units once, however often it is asked", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 6 });
    const orderId = randomUUID();
    await reserve(orderId, [{ productId: level.productId, quantity: 4 }]);

    const [first, second] = await Promise.all([release(orderId, "checkout_abandoned"), release(orderId, "checkout_abandoned")]);
    const third = await release(orderId);

    for (const result of [first, second, third]) {
      assert.deepEqual(
        result?.lines.map((l) => [l.status, l.reason]),
        [["RELEASED", "checkout_abandoned"]],
      );
    }
    assert.deepEqual(await stockOf(level.productId), { onHand: 6, reserved: 0 });
    assert.deepEqual(
      (await movementsOf(orderId)).map((m) => [m.kind, m.quantity, m.reason, m.onHandAfter, m.reservedAfter]),
      [
        ["RESERVED", 4, null, 6, 4],
        ["RELEASED", 4, "checkout_abandoned", 6, 0],
      ],
    );
  });

  it("commits a held order's units once, and a committed order can no longer be released", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 6, reserved: 1 });
    const orderId = randomUUID();
    await reserve(orderId, [{ productId: level.productId, quantity: 2 }]);

    const results = await Promise.all([commit(orderId), commit(orderId)]);
    const afterRelease = await release(orderId);

    for (const result of [...results, afterRelease]) assert.equal(result.status, "COMMITTED");
    assert.deepEqual(await stockOf(level.productId), { onHand: 4, reserved: 1 });
    assert.deepEqual(
      (await movementsOf(orderId)).map((m) => m.kind),
      ["RESERVED", "COMMITTED"],
    );
  });

  it("never reserves an order released before its reservation arrived", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 6 });
    const orderId = randomUUID();

    const released = await release(orderId, "checkout_abandoned");
    const late = await reserve(orderId, [{ productId: level.productId, quantity: 2 }]);

    assert.deepEqual(released, { orderId, status: null, lines: [] });
    assert.equal(late.status, "REJECTED");
    assert.deepEqual(
      late.lines.map((l) => l.reason),
      ["order_cancelled"],
    );
    assert.deepEqual(await stockOf(level.productId), { onHand: 6, reserved: 0 });
  });

  it("never leaves units held for an order whose release raced its reservation", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 50 });
    const orderIds = Array.from({ length: 20 }, () => randomUUID());

    await Promise.all(
      orderIds.flatMap((orderId) => [
        reserve(orderId, [{ productId: level.productId, quantity: 1 }]),
        release(orderId, "checkout_abandoned"),
      ]),
    );

    assert.deepEqual(await stockOf(level.productId), { onHand: 50, reserved: 0 });
    const reservations = await inventory.prisma.reservation.findMany({ where: { orderId: { in: orderIds } } });
    assert.equal(reservations.length, 20, "every order's reservation was decided");
    for (const r of reservations) {
      assert.ok(
        (r.status === "RELEASED" && r.reason === "checkout_abandoned") || (r.status === "REJECTED" && r.reason === "order_cancelled"),
        `${r.status} ${r.reason}`,
      );
    }
  });

  it("shows an order's reservation, and nothing for an order never reserved", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 6 });
    const orderId = randomUUID();
    await reserve(orderId, [{ productId: level.productId, quantity: 2 }]);

    const shown = await inventory.query<{ stockReservation: Reservation | null }>(RESERVATION_OF, { orderId }, anAdmin());
    const unknown = await inventory.query<{ stockReservation: Reservation | null }>(RESERVATION_OF, { orderId: randomUUID() }, checkout);
    const notAnId = await inventory.query<{ stockReservation: Reservation | null }>(RESERVATION_OF, { orderId: "nope" }, checkout);

    assert.deepEqual(shown.stockReservation, {
      orderId,
      status: "HELD",
      lines: [{ product: { id: level.productId }, quantity: 2, status: "HELD", reason: null }],
    });
    assert.equal(unknown.stockReservation, null);
    assert.equal(notAnId.stockReservation, null);
  });

  it("lets only admins and the checkout reserve, release, commit or look: anonymous callers and customers are refused", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 6 });
    const orderId = randomUUID();
    const operations: [string, Record<string, unknown>][] = [
      [RESERVE, { input: { orderId, items: [{ productId: level.productId, quantity: 1 }] } }],
      [RELEASE, { orderId }],
      [COMMIT, { orderId }],
      [RESERVATION_OF, { orderId }],
    ];
    for (const [operation, variables] of operations) {
      assert.deepEqual(errorCodes(await inventory.execute(operation, variables, anonymous())), ["UNAUTHENTICATED"]);
      assert.deepEqual(errorCodes(await inventory.execute(operation, variables, aCustomer())), ["FORBIDDEN"]);
    }
    assert.deepEqual(await stockOf(level.productId), { onHand: 6, reserved: 0 });
    assert.equal(await inventory.prisma.reservation.count({ where: { orderId } }), 0);
    assert.equal(await inventory.prisma.settledOrder.count({ where: { orderId } }), 0);

    const asAdmin = await reserve(orderId, [{ productId: level.productId, quantity: 1 }], anAdmin());
    assert.equal(asAdmin.status, "HELD");
  });

  it("refuses malformed requests with BAD_USER_INPUT and changes nothing", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 6 });
    const line = { productId: level.productId, quantity: 1 };
    const orderId = randomUUID();
    const bad: [string, Record<string, unknown>][] = [
      [RESERVE, { input: { orderId: "order-1", items: [line] } }],
      [RESERVE, { input: { orderId, items: [] } }],
      [RESERVE, { input: { orderId, items: [{ ...line, quantity: 0 }] } }],
      [RESERVE, { input: { orderId, items: [{ ...line, quantity: 10_001 }] } }],
      [RESERVE, { input: { orderId, items: [{ ...line, productId: "kettle" }] } }],
      [RESERVE, { input: { orderId, items: Array.from({ length: 101 }, () => line) } }],
      [RELEASE, { orderId: "order-1" }],
      [RELEASE, { orderId, reason: "Because I Said So" }],
      [COMMIT, { orderId: "order-1" }],
    ];
    for (const [operation, variables] of bad) {
      const result = await inventory.execute(operation, variables, checkout);
      assert.deepEqual(errorCodes(result), ["BAD_USER_INPUT"], JSON.stringify(variables));
    }
    assert.deepEqual(await stockOf(level.productId), { onHand: 6, reserved: 0 });
    assert.equal(await inventory.prisma.reservation.count({ where: { orderId } }), 0);
    assert.equal(await inventory.prisma.settledOrder.count({ where: { orderId } }), 0);
  });
});
