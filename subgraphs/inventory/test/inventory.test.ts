import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { demoProducts } from "@storefront/demo-data";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { inventorySubgraph } from "../src/index.ts";
import { aStockLevel } from "./builders.ts";

const PRODUCTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id inStock inventory { onHand reserved available updatedAt } } } }`;
type Stock = { onHand: number; reserved: number; available: number; updatedAt: string | null };
type Products = { _entities: { id: string; inStock: boolean; inventory: Stock }[] };

const product = (id: string) => ({ __typename: "Product", id });

describe("inventory subgraph", () => {
  let inventory: TestSubgraph<PrismaClient>;
  before(async () => {
    inventory = await startTestSubgraph(inventorySubgraph);
  });
  after(() => inventory.close());

  it("adds a product's stock on hand, reserved and available, and whether it can be ordered", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 10, reserved: 4 });
    const data = await inventory.query<Products>(PRODUCTS, { r: [product(level.productId)] });
    assert.deepEqual(data._entities, [
      {
        id: level.productId,
        inStock: true,
        inventory: { onHand: 10, reserved: 4, available: 6, updatedAt: level.updatedAt.toISOString() },
      },
    ]);
  });

  it("resolves several products in one request, in order: a fully reserved one and unknown ones are not in stock", async () => {
    const stocked = await aStockLevel(inventory.prisma, { onHand: 3, reserved: 0 });
    const sold = await aStockLevel(inventory.prisma, { onHand: 5, reserved: 5 });
    const neverStocked = randomUUID();
    const data = await inventory.query<Products>(PRODUCTS, {
      r: [product(sold.productId), product(neverStocked), product(stocked.productId), product("not-a-uuid")],
    });

    const none = { onHand: 0, reserved: 0, available: 0, updatedAt: null };
    assert.deepEqual(
      data._entities.map((p) => [p.id, p.inStock, { ...p.inventory, updatedAt: p.inventory.updatedAt && "set" }]),
      [
        [sold.productId, false, { onHand: 5, reserved: 5, available: 0, updatedAt: "set" }],
        [neverStocked, false, none],
        [stocked.productId, true, { onHand: 3, reserved: 0, available: 3, updatedAt: "set" }],
        ["not-a-uuid", false, none],
      ],
    );
  });

  it("loads the stock of 50 products with one SQL statement", async () => {
    const levels = await Promise.all(Array.from({ length: 50 }, (_, i) => aStockLevel(inventory.prisma, { onHand: i, reserved: i % 2 })));
    const { result, count } = await inventory.database.countQueries(() =>
      inventory.query<Products>(PRODUCTS, { r: levels.map((level) => product(level.productId)) }),
    );
    assert.deepEqual(
      result._entities.map((p) => [p.inventory.onHand, p.inventory.reserved, p.inventory.available, p.inStock]),
      levels.map((level) => [level.onHand, level.reserved, level.onHand - level.reserved, level.onHand - level.reserved > 0]),
    );
    assert.equal(count, 1, "inventory and inStock of every product share one batched query");
  });

  it("seeds every demo product with its opening stock, booked as received, once however often it runs", async () => {
    const seed = inventorySubgraph.seedDemo;
    assert.ok(seed, "inventory seeds demo data");
    await seed(inventory.prisma);
    await seed(inventory.prisma);

    const ids = demoProducts.map((p) => p.id);
    const levels = await inventory.prisma.stockLevel.findMany({ where: { productId: { in: ids } } });
    const received = await inventory.prisma.stockMovement.findMany({ where: { productId: { in: ids }, kind: "RECEIVED" } });
    const expected = Object.fromEntries(demoProducts.map((p) => [p.id, p.stock]));
    assert.deepEqual(Object.fromEntries(levels.map((l) => [l.productId, l.onHand])), expected);
    assert.deepEqual(Object.fromEntries(received.map((m) => [m.productId, m.quantity])), expected);
    assert.equal(received.length, demoProducts.length);
    assert.ok(received.every((m) => m.onHandAfter === m.quantity && m.reservedAfter === 0 && m.actorId === null));
    assert.ok(levels.every((l) => l.reserved === 0));
  });
});
