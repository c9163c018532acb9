import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { errorCodes, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { inventorySubgraph } from "../src/index.ts";
import { aCustomer, anAdmin, anOrderPlaced, anonymous, aStockLevel, theCheckout } from "./builders.ts";
import { eventDelivery } from "./delivery.ts";

const MOVEMENTS = `query($r: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $r) {
    ... on Product {
      id
      stockMovements(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id kind quantity onHandChange reservedChange onHandAfter reservedAfter orderId reason actor } }
      }
    }
  }
}`;
type Movement = {
  id: string;
  kind: string;
  quantity: number;
  onHandChange: number;
  reservedChange: number;
  onHandAfter: number | null;
  reservedAfter: number | null;
  orderId: string | null;
  reason: string | null;
  actor: string;
};
type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: Movement }[];
};
type Products = { _entities: { id: string; stockMovements: Page }[] };

const product = (id: string) => ({ __typename: "Product", id });

describe("the stock ledger", () => {
  let inventory: TestSubgraph<PrismaClient>;
  const admin = anAdmin();

  before(async () => {
    inventory = await startTestSubgraph(inventorySubgraph);
  });
  after(() => inventory.close());

  const pageOf = async (productId: string, first?: number, after?: string | null) =>
    (await inventory.query<Products>(MOVEMENTS, { r: [product(productId)], first, after }, admin))._entities[0]?.stockMovements ??
    assert.fail("the product resolves");
  const adjust = (productId: string, delta: number) =>
    inventory.query(
      `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { movement { id } } }`,
      { input: { productId, delta, reason: delta > 0 ? "RECEIVED" : "DAMAGED" } },
      admin,
    );

  it("lists a product's movements newest first, a page at a time, with each movement's effect and balance", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 0 });
    for (const delta of [10, -1, 5, -2, 3]) await adjust(level.productId, delta);
    const delivery = eventDelivery(inventory.prisma);
    const placed = anOrderPlaced([{ productId: level.productId, quantity: 4 }]);
    await delivery.deliver(placed);
    await delivery.close();

    const seen: Movement[] = [];
    const pages: Page[] = [];
    let after: string | null = null;
    do {
      const page: Page = await pageOf(level.productId, 2, after);
      pages.push(page);
      seen.push(...page.edges.map((edge) => edge.node));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);

    assert.deepEqual(
      pages.map((p) => [p.totalCount, p.edges.length, p.pageInfo.hasNextPage, p.pageInfo.hasPreviousPage]),
      [
        [6, 2, true, false],
        [6, 2, true, true],
        [6, 2, false, true],
      ],
    );
    assert.deepEqual(
      seen.map((m) => [m.kind, m.quantity, m.onHandChange, m.reservedChange, m.onHandAfter, m.reservedAfter]),
      [
        ["RESERVED", 4, 0, 4, 15, 4],
        ["RECEIVED", 3, 3, 0, 15, 0],
        ["ADJUSTED", -2, -2, 0, 12, 0],
        ["RECEIVED", 5, 5, 0, 14, 0],
        ["ADJUSTED", -1, -1, 0, 9, 0],
        ["RECEIVED", 10, 10, 0, 10, 0],
      ],
    );
    assert.deepEqual(seen[0] && [seen[0].orderId, seen[0].actor], [placed.data.orderId, "system:inventory"]);
    assert.ok(seen.slice(1).every((m) => m.actor === admin.viewer.userId && m.orderId === null));
    assert.equal(new Set(seen.map((m) => m.id)).size, 6, "no movement twice");
  });

  it("answers an empty page for a product without movements", async () => {
    const page = await pageOf(randomUUID());
    assert.deepEqual(page, {
      totalCount: 0,
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      edges: [],
    });
  });

  it("loads the ledgers of 50 products with two SQL statements", async () => {
    const levels = await Promise.all(Array.from({ length: 50 }, () => aStockLevel(inventory.prisma, { onHand: 0 })));
    await Promise.all(levels.map((level, i) => adjust(level.productId, i + 1)));
    await Promise.all(levels.slice(0, 10).map((level) => adjust(level.productId, 1)));

    const { result, count } = await inventory.database.countQueries(() =>
      inventory.query<Products>(MOVEMENTS, { r: levels.map((level) => product(level.productId)), first: 1 }, admin),
    );

    assert.deepEqual(
      result._entities.map((p) => [p.id, p.stockMovements.totalCount, p.stockMovements.edges[0]?.node.onHandAfter]),
      levels.map((level, i) => [level.productId, i < 10 ? 2 : 1, i < 10 ? i + 2 : i + 1]),
    );
    assert.equal(count, 2, "one statement for the pages, one for the counts");
  });

  it("shows the ledger to admins only: anonymous callers, customers and the checkout are refused", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 1 });
    for (const [as, code] of [
      [anonymous(), "UNAUTHENTICATED"],
      [aCustomer(), "FORBIDDEN"],
      [theCheckout(), "FORBIDDEN"],
    ] as const) {
      const result = await inventory.execute(MOVEMENTS, { r: [product(level.productId)] }, as);
      assert.deepEqual(errorCodes(result), [code]);
    }
  });

  it("refuses a page size out of range or a cursor it did not hand out", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 1 });
    for (const variables of [{ first: 0 }, { first: 101 }, { after: "not-a-cursor" }]) {
      const result = await inventory.execute(MOVEMENTS, { r: [product(level.productId)], ...variables }, admin);
      assert.deepEqual(errorCodes(result), ["BAD_USER_INPUT"], JSON.stringify(variables));
    }
  });
});

describe("the database itself guards stock and the ledger", () => {
  let inventory: TestSubgraph<PrismaClient>;
  before(async () => {
    inventory = await startTestSubgraph(inventorySubgraph);
  });
  after(() => inventory.close());

  const aMovement = (productId: string) =>
    inventory.prisma.stockMovement.create({ data: { productId, kind: "RECEIVED", quantity: 3, onHandAfter: 3, reservedAfter: 0 } });

  it("refuses to change or delete a ledger entry, or to empty the ledger", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 3 });
    const movement = await aMovement(level.productId);

    await assert.rejects(inventory.prisma.stockMovement.update({ where: { id: movement.id }, data: { quantity: 30 } }), /append-only/);
    await assert.rejects(inventory.prisma.stockMovement.delete({ where: { id: movement.id } }), /append-only/);
    await assert.rejects(inventory.prisma.stockMovement.deleteMany({}), /append-only/);
    await assert.rejects(inventory.prisma.$executeRawUnsafe("TRUNCATE stock_movement"), /append-only/);

    assert.deepEqual(await inventory.prisma.stockMovement.findUniqueOrThrow({ where: { id: movement.id } }), movement);
  });

  it("refuses stock below zero, negative reservations and reservations beyond on hand, whatever the code does", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 3, reserved: 1 });
    const where = { productId: level.productId };

    await assert.rejects(inventory.prisma.stockLevel.update({ where, data: { reserved: 4 } }), /stock_level_reserved_within_on_hand/);
    await assert.rejects(inventory.prisma.stockLevel.update({ where, data: { reserved: -1 } }), /stock_level_reserved_within_on_hand/);
    await assert.rejects(
      inventory.prisma.stockLevel.update({ where, data: { onHand: -1, reserved: 0 } }),
      /stock_level_on_hand_not_negative/,
    );
    await assert.rejects(aStockLevel(inventory.prisma, { onHand: 1, reserved: 2 }), /stock_level_reserved_within_on_hand/);

    const stock = await inventory.prisma.stockLevel.findUniqueOrThrow({ where });
    assert.deepEqual([stock.onHand, stock.reserved], [3, 1]);
  });

  it("refuses ledger entries that move nothing and reservations of no units", async () => {
    const productId = randomUUID();
    await assert.rejects(
      inventory.prisma.stockMovement.create({ data: { productId, kind: "ADJUSTED", quantity: 0 } }),
      /stock_movement_quantity_moves/,
    );
    await assert.rejects(
      inventory.prisma.stockMovement.create({ data: { productId, kind: "RESERVED", quantity: -2 } }),
      /stock_movement_quantity_moves/,
    );
    await assert.rejects(
      inventory.prisma.reservation.create({ data: { orderId: randomUUID(), productId, quantity: 0, status: "HELD" } }),
      /reservation_quantity_positive/,
    );
  });
});
