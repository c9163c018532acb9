import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { errorCodes, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { inventorySubgraph } from "../src/index.ts";
import { aCustomer, anAdmin, anonymous, aStockLevel, theCheckout } from "./builders.ts";

const CHANGE = `product { id inventory { onHand reserved available } }
  movement { kind quantity onHandChange reservedChange onHandAfter reservedAfter orderId reason note actor createdAt }`;
const ADJUST = `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { ${CHANGE} } }`;
const SET_LEVEL = `mutation($input: SetStockLevelInput!) { setStockLevel(input: $input) { ${CHANGE} } }`;

type Movement = {
  kind: string;
  quantity: number;
  onHandChange: number;
  reservedChange: number;
  onHandAfter: number | null;
  reservedAfter: number | null;
  orderId: string | null;
  reason: string | null;
  note: string | null;
  actor: string;
  createdAt: string;
};
type Change = { product: { id: string; inventory: { onHand: number; reserved: number; available: number } }; movement: Movement | null };

describe("admins change stock by hand, and every change is booked in the ledger", () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let inventory: TestSubgraph<PrismaClient>;
  const admin = anAdmin();

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
    inventory = await startTestSubgraph(inventorySubgraph, { subgraphUrls: { catalog: catalog.url } });
  });
  after(async () => {
    await inventory?.close();
    await catalog?.close();
  });

  const aCatalogProduct = () =>
    catalog.prisma.product.create({
      data: { sku: `SKU-${randomUUID().slice(0, 8)}`, name: "Kettle", priceAmount: 2_500, priceCurrency: "EUR", imageUrls: [] },
    });
  const adjust = async (input: Record<string, unknown>, as = admin) =>
    (await inventory.query<{ adjustStock: Change }>(ADJUST, { input }, as)).adjustStock;
  const setLevel = async (input: Record<string, unknown>, as = admin) =>
    (await inventory.query<{ setStockLevel: Change }>(SET_LEVEL, { input }, as)).setStockLevel;
  const stockOf = async (productId: string) => {
    const level = await inventory.prisma.stockLevel.findUnique({ where: { productId } });
    return level && { onHand: level.onHand, reserved: level.reserved };
  };
  const ledgerSize = (productId: string) => inventory.prisma.stockMovement.count({ where: { productId } });

  it("books goods received: on hand rises, and the ledger says what, who, why and the balance left", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 4, reserved: 1 });
    const before = Date.now();

    const change = await adjust({ productId: level.productId, delta: 20, reason: "RECEIVED", note: "  delivery note 4711 " });

    assert.deepEqual(change.product, { id: level.productId, inventory: { onHand: 24, reserved: 1, available: 23 } });
    const { createdAt, ...movement } = change.movement ?? assert.fail("a movement is booked");
    assert.deepEqual(movement, {
      kind: "RECEIVED",
      quantity: 20,
      onHandChange: 20,
      reservedChange: 0,
      onHandAfter: 24,
      reservedAfter: 1,
      orderId: null,
      reason: "received",
      note: "delivery note 4711",
      actor: admin.viewer.userId,
    });
    assert.ok(Date.parse(createdAt) >= before - 1_000, "booked when it happened");
    assert.deepEqual(await stockOf(level.productId), { onHand: 24, reserved: 1 });
  });

  it("books damage, loss and returns as signed adjustments", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 10 });

    const damaged = await adjust({ productId: level.productId, delta: -3, reason: "DAMAGED" });
    const lost = await adjust({ productId: level.productId, delta: -1, reason: "LOST" });
    const returned = await adjust({ productId: level.productId, delta: 2, reason: "RETURNED" });
    const other = await adjust({ productId: level.productId, delta: -1, reason: "OTHER", note: "sample for the trade fair" });

    assert.deepEqual(
      [damaged, lost, returned, other].map((c) => [c.movement?.kind, c.movement?.quantity, c.movement?.reason, c.movement?.onHandAfter]),
      [
        ["ADJUSTED", -3, "damaged", 7],
        ["ADJUSTED", -1, "lost", 6],
        ["ADJUSTED", 2, "returned", 8],
        ["ADJUSTED", -1, "other", 7],
      ],
    );
    assert.deepEqual(await stockOf(level.productId), { onHand: 7, reserved: 0 });
  });

  it("stocks a product the catalog knows but the warehouse never had", async () => {
    const product = await aCatalogProduct();

    const change = await adjust({ productId: product.id, delta: 5, reason: "RECEIVED" });

    assert.deepEqual(change.product.inventory, { onHand: 5, reserved: 0, available: 5 });
    assert.deepEqual(await stockOf(product.id), { onHand: 5, reserved: 0 });
  });

  it("refuses to stock a product the catalog does not know, and creates nothing", async () => {
    const productId = randomUUID();

    const result = await inventory.execute(ADJUST, { input: { productId, delta: 5, reason: "RECEIVED" } }, admin);

    assert.deepEqual(errorCodes(result), ["NOT_FOUND"]);
    assert.equal(await stockOf(productId), null);
    assert.equal(await ledgerSize(productId), 0);
  });

  it("never takes on hand below the units reserved for orders, nor below zero (CONFLICT), and changes nothing", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 5, reserved: 3 });

    const belowReserved = await inventory.execute(ADJUST, { input: { productId: level.productId, delta: -3, reason: "DAMAGED" } }, admin);
    const belowZero = await inventory.execute(ADJUST, { input: { productId: level.productId, delta: -6, reason: "LOST" } }, admin);
    const countBelowReserved = await inventory.execute(SET_LEVEL, { input: { productId: level.productId, onHand: 2 } }, admin);

    for (const result of [belowReserved, belowZero, countBelowReserved]) assert.deepEqual(errorCodes(result), ["CONFLICT"]);
    const { onHand, reserved, available } = belowReserved.errors?.[0]?.extensions ?? {};
    assert.deepEqual({ onHand, reserved, available }, { onHand: 5, reserved: 3, available: 2 }, "the figures are in extensions");
    assert.match(belowReserved.errors?.[0]?.message ?? "", /3 units are reserved for orders.*at most 2 can be removed/);
    assert.deepEqual(await stockOf(level.productId), { onHand: 5, reserved: 3 });
    assert.equal(await ledgerSize(level.productId), 0);

    const upToReserved = await adjust({ productId: level.productId, delta: -2, reason: "DAMAGED" });
    assert.deepEqual(upToReserved.product.inventory, { onHand: 3, reserved: 3, available: 0 });
  });

  it("lets exactly the removals through that stock covers when admins adjust at the same time", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 10, reserved: 2 });

    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        inventory.execute(ADJUST, { input: { productId: level.productId, delta: -1, reason: "LOST" } }, admin),
      ),
    );

    assert.equal(results.filter((r) => !r.errors).length, 8);
    assert.deepEqual(
      results.filter((r) => r.errors).map(errorCodes),
      Array.from({ length: 4 }, () => ["CONFLICT"]),
    );
    assert.deepEqual(await stockOf(level.productId), { onHand: 2, reserved: 2 });
    const balances = await inventory.prisma.stockMovement.findMany({
      where: { productId: level.productId },
      orderBy: { onHandAfter: "desc" },
      select: { onHandAfter: true },
    });
    assert.deepEqual(
      balances.map((b) => b.onHandAfter),
      [9, 8, 7, 6, 5, 4, 3, 2],
      "each removal was booked against the balance the previous one left",
    );
  });

  it("books a stock take as a count correction of the difference, and nothing when the books were right", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 12, reserved: 2 });

    const counted = await setLevel({ productId: level.productId, onHand: 9, note: "yearly stock take" });
    const recounted = await setLevel({ productId: level.productId, onHand: 9 });

    assert.deepEqual(
      counted.movement && [counted.movement.kind, counted.movement.quantity, counted.movement.reason, counted.movement.note],
      ["ADJUSTED", -3, "count_correction", "yearly stock take"],
    );
    assert.deepEqual(recounted.product.inventory, { onHand: 9, reserved: 2, available: 7 });
    assert.equal(recounted.movement, null);
    assert.equal(await ledgerSize(level.productId), 1);
  });

  it("refuses malformed changes with BAD_USER_INPUT naming the argument, and changes nothing", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 5 });
    const { productId } = level;
    const bad: [string, Record<string, unknown>, string][] = [
      [ADJUST, { productId, delta: 0, reason: "COUNT_CORRECTION" }, "input.delta"],
      [ADJUST, { productId, delta: -1, reason: "RECEIVED" }, "input.delta"],
      [ADJUST, { productId, delta: -1, reason: "RETURNED" }, "input.delta"],
      [ADJUST, { productId, delta: 1, reason: "DAMAGED" }, "input.delta"],
      [ADJUST, { productId, delta: 1_000_000_001, reason: "RECEIVED" }, "input.delta"],
      [ADJUST, { productId, delta: 1_000_000_000, reason: "RECEIVED" }, "input.delta"],
      [ADJUST, { productId, delta: 1, reason: "OTHER" }, "input.note"],
      [ADJUST, { productId, delta: 1, reason: "OTHER", note: "   " }, "input.note"],
      [ADJUST, { productId, delta: 1, reason: "RECEIVED", note: "x".repeat(501) }, "input.note"],
      [ADJUST, { productId: "kettle", delta: 1, reason: "RECEIVED" }, "input.productId"],
      [SET_LEVEL, { productId, onHand: -1 }, "input.onHand"],
      [SET_LEVEL, { productId: "kettle", onHand: 1 }, "input.productId"],
    ];
    for (const [operation, input, argument] of bad) {
      const result = await inventory.execute(operation, { input }, admin);
      assert.deepEqual(errorCodes(result), ["BAD_USER_INPUT"], JSON.stringify(input));
      assert.equal(result.errors?.[0]?.extensions?.argument, argument, JSON.stringify(input));
    }
    assert.deepEqual(await stockOf(productId), { onHand: 5, reserved: 0 });
    assert.equal(await ledgerSize(productId), 0);
  });

  it("lets only admins change stock: anonymous callers, customers and the checkout are refused", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 5 });
    const input = { productId: level.productId, delta: 1, reason: "RECEIVED" };
    for (const [as, code] of [
      [anonymous(), "UNAUTHENTICATED"],
      [aCustomer(), "FORBIDDEN"],
      [theCheckout(), "FORBIDDEN"],
    ] as const) {
      assert.deepEqual(errorCodes(await inventory.execute(ADJUST, { input }, as)), [code]);
      assert.deepEqual(errorCodes(await inventory.execute(SET_LEVEL, { input: { productId: level.productId, onHand: 9 } }, as)), [code]);
    }
    assert.deepEqual(await stockOf(level.productId), { onHand: 5, reserved: 0 });
    assert.equal(await ledgerSize(level.productId), 0);
  });
});
