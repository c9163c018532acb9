import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { demoProducts, demoUsers } from "@storefront/demo-data";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { seedDemoCarts } from "../src/data/seed.ts";
import { cartSubgraph } from "../src/index.ts";
import { anUnreachableUrl } from "./builders.ts";

const customer = demoUsers.find((u) => u.role === "CUSTOMER");
const itemsOf = (cart: TestSubgraph<PrismaClient>) =>
  cart.prisma.cartItem.findMany({
    orderBy: { productId: "asc" },
    select: { cartId: true, productId: true, quantity: true, addedAt: true },
  });

describe("the demo cart", () => {
  let cart: TestSubgraph<PrismaClient>;
  before(async () => {
    // Seeding asks no other subgraph anything.
    cart = await startTestSubgraph(cartSubgraph, {
      subgraphUrls: { catalog: await anUnreachableUrl(), inventory: await anUnreachableUrl() },
    });
  });
  after(() => cart.close());

  it("is seeded once with two demo products, and seeding again changes no row", async () => {
    assert.ok(customer);
    await seedDemoCarts(cart.prisma);
    const seeded = { carts: await cart.prisma.cart.findMany(), items: await itemsOf(cart) };
    assert.deepEqual(
      seeded.items.map((item) => [item.productId, item.quantity]).sort(),
      [
        [demoProducts[0]?.id, 1],
        [demoProducts[1]?.id, 2],
      ].sort(),
    );

    await seedDemoCarts(cart.prisma);
    await seedDemoCarts(cart.prisma);

    assert.deepEqual({ carts: await cart.prisma.cart.findMany(), items: await itemsOf(cart) }, seeded);
  });

  it("stays as its customer left it when seeded again: emptied lines are not put back", async () => {
    assert.ok(customer);
    await seedDemoCarts(cart.prisma);
    const [, , third] = demoProducts;
    assert.ok(third);
    await cart.prisma.cartItem.deleteMany({ where: { cart: { userId: customer.id } } });
    const cartRow = await cart.prisma.cart.findUniqueOrThrow({ where: { userId: customer.id } });
    await cart.prisma.cartItem.create({ data: { cartId: cartRow.id, productId: third.id, quantity: 1 } });
    const before = { carts: await cart.prisma.cart.findMany(), items: await itemsOf(cart) };

    await seedDemoCarts(cart.prisma);

    assert.deepEqual({ carts: await cart.prisma.cart.findMany(), items: await itemsOf(cart) }, before);
  });
});
