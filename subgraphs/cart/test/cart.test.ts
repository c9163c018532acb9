import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { cartSubgraph } from "../src/index.ts";

const CARTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id cart { itemCount updatedAt items { product { id } quantity } } } } }`;
type Carts = {
  _entities: {
    id: string;
    cart: { itemCount: number; updatedAt: string | null; items: { product: { id: string }; quantity: number }[] };
  }[];
};

describe("cart subgraph", () => {
  let cart: TestSubgraph<PrismaClient>;
  before(async () => {
    cart = await startTestSubgraph(cartSubgraph);
  });
  after(() => cart.close());

  async function aCartWith(items: { productId: string; quantity: number }[]) {
    const userId = randomUUID();
    const stored = await cart.prisma.cart.create({ data: { userId } });
    for (const [i, item] of items.entries()) {
      await cart.prisma.cartItem.create({ data: { cartId: stored.id, ...item, addedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) } });
    }
    return userId;
  }

  it("adds each user's cart to User, items in the order they were added, with the unit count", async () => {
    const [p1, p2] = [randomUUID(), randomUUID()];
    const userId = await aCartWith([
      { productId: p1, quantity: 2 },
      { productId: p2, quantity: 3 },
    ]);
    const data = await cart.query<Carts>(CARTS, { r: [{ __typename: "User", id: userId }] });
    const [user] = data._entities;
    assert.equal(user?.cart.itemCount, 5);
    assert.deepEqual(user?.cart.items, [
      { product: { id: p1 }, quantity: 2 },
      { product: { id: p2 }, quantity: 3 },
    ]);
  });

  it("gives a user who never added anything an empty cart", async () => {
    const data = await cart.query<Carts>(CARTS, { r: [{ __typename: "User", id: randomUUID() }] });
    assert.deepEqual(data._entities[0]?.cart, { itemCount: 0, updatedAt: null, items: [] });
  });

  it("loads the carts of many users with a constant number of SQL statements", async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => aCartWith([{ productId: randomUUID(), quantity: 1 }])));
    const { result, count } = await cart.database.countQueries(() =>
      cart.query<Carts>(CARTS, { r: users.map((id) => ({ __typename: "User", id })) }),
    );
    assert.equal(result._entities.length, 10);
    assert.ok(result._entities.every((u) => u.cart.itemCount === 1));
    assert.equal(count, 2, "one statement for the carts, one for their items");
  });
});
