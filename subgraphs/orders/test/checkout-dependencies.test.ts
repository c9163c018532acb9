// A checkout that fails because a subgraph it depends on failed says which one (`extensions.service`), also when the
// failure is one hop further: cart answering with an error because the catalog behind it is frozen or gone.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Viewer } from "@storefront/auth";
import { type CartPrisma, cartSubgraph } from "@storefront/cart";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { type InventoryPrisma, inventorySubgraph } from "@storefront/inventory";
import { createTestAuthority, type GraphQLResult, startTestSubgraph, type TestAuthority, type TestSubgraph } from "@storefront/testkit";
import { type UsersPrisma, usersSubgraph } from "@storefront/users";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { ordersSubgraph } from "../src/index.ts";

const CHECKOUT = "mutation($input: CheckoutInput!) { checkout(input: $input) { id } }";
// nothing listens on port 9 of this machine
const NOTHING_THERE = "http://127.0.0.1:9/graphql";

const as = (userId: string): { viewer: Viewer } => ({ viewer: { userId, role: "CUSTOMER", scopes: [] } });

/**
 * A subgraph that is frozen (SIGSTOP): the kernel still accepts connections, but nothing ever answers. A real process
 * is frozen in test/e2e/orphan-holds.test.ts; in-process, this socket is the same thing to a caller.
 */
async function aFrozenSubgraph(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address && typeof address === "object");
  return {
    url: `http://127.0.0.1:${address.port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("a checkout names the subgraph that failed, also behind another subgraph", { timeout: 120_000 }, () => {
  let authority: TestAuthority;
  let catalog: TestSubgraph<CatalogPrisma>;
  let inventory: TestSubgraph<InventoryPrisma>;
  let users: TestSubgraph<UsersPrisma>;
  let frozenCatalog: Awaited<ReturnType<typeof aFrozenSubgraph>>;
  const started: TestSubgraph<unknown>[] = [];

  before(async () => {
    authority = await createTestAuthority();
    const { verifyAccessToken } = authority;
    [catalog, inventory, users, frozenCatalog] = await Promise.all([
      startTestSubgraph(catalogSubgraph),
      startTestSubgraph(inventorySubgraph, { verifyAccessToken }),
      startTestSubgraph(usersSubgraph, { verifyAccessToken }),
      aFrozenSubgraph(),
    ]);
  });
  after(async () => {
    await Promise.all(started.map((subgraph) => subgraph.close()));
    await Promise.all([catalog, inventory, users].map((subgraph) => subgraph?.close()));
    await frozenCatalog?.close();
  });

  /** A cart subgraph that asks the catalog at `catalogUrl`. */
  async function aCartAskingCatalogAt(catalogUrl: string): Promise<TestSubgraph<CartPrisma>> {
    const cart = await startTestSubgraph(cartSubgraph, {
      verifyAccessToken: authority.verifyAccessToken,
      subgraphUrls: { catalog: catalogUrl, inventory: inventory.url },
    });
    started.push(cart as TestSubgraph<unknown>);
    return cart;
  }
  /** An orders subgraph whose checkout calls these subgraphs (the healthy ones unless given). */
  async function ordersCalling(urls: { cart: string; inventory?: string; users?: string }): Promise<TestSubgraph<PrismaClient>> {
    const orders = await startTestSubgraph(ordersSubgraph, {
      subgraphUrls: { catalog: catalog.url, inventory: inventory.url, users: users.url, ...urls },
      serviceTokens: authority.serviceTokens("orders"),
    });
    started.push(orders as TestSubgraph<unknown>);
    return orders;
  }
  /** A customer with an address and a product in a cart of `cart` (written directly: adding asks the catalog). */
  async function aCustomerWithCartIn(cart: TestSubgraph<CartPrisma>): Promise<string> {
    const product = await catalog.prisma.product.create({
      data: { sku: `SKU-${randomUUID().slice(0, 8)}`, name: "Kettle", priceAmount: 2_500, priceCurrency: "EUR", active: true },
    });
    await inventory.prisma.stockLevel.create({ data: { productId: product.id, onHand: 5 } });
    const user = await users.prisma.user.create({ data: { email: `${randomUUID()}@example.com`, name: "Robin", role: "CUSTOMER" } });
    await users.prisma.address.create({
      data: {
        userId: user.id,
        recipientName: "Robin Roe",
        line1: "Hauptstr. 1",
        city: "Berlin",
        postalCode: "10115",
        countryCode: "DE",
        isDefault: true,
      },
    });
    await cart.prisma.cart.create({
      data: { id: randomUUID(), userId: user.id, items: { create: { productId: product.id, quantity: 1 } } },
    });
    return user.id;
  }
  const failureOf = (result: GraphQLResult) => {
    assert.equal(result.errors?.length, 1, JSON.stringify(result.errors));
    const [error] = result.errors ?? [];
    return {
      code: error?.extensions?.code,
      service: error?.extensions?.service,
      reason: error?.extensions?.reason,
      message: error?.message,
    };
  };

  it("names catalog, not cart, when the catalog behind cart is frozen: cart gives up first and says why", async () => {
    const cart = await aCartAskingCatalogAt(frozenCatalog.url);
    const orders = await ordersCalling({ cart: cart.url });
    const userId = await aCustomerWithCartIn(cart);

    const failure = failureOf(await orders.execute(CHECKOUT, { input: { idempotencyKey: randomUUID() } }, as(userId)));

    assert.deepEqual([failure.code, failure.service, failure.reason], ["SERVICE_UNAVAILABLE", "catalog", "timeout"]);
    assert.match(String(failure.message), /catalog service/);
    assert.equal(await orders.prisma.order.count(), 0);
  });

  it("names catalog when the catalog behind cart is gone", async () => {
    const cart = await aCartAskingCatalogAt(NOTHING_THERE);
    const orders = await ordersCalling({ cart: cart.url });
    const userId = await aCustomerWithCartIn(cart);

    const failure = failureOf(await orders.execute(CHECKOUT, { input: { idempotencyKey: randomUUID() } }, as(userId)));

    assert.deepEqual([failure.code, failure.service, failure.reason], ["SERVICE_UNAVAILABLE", "catalog", "unreachable"]);
  });

  it("names the subgraph the checkout calls itself when that one is gone: cart, users, inventory", async () => {
    const cart = await aCartAskingCatalogAt(catalog.url);
    const userId = await aCustomerWithCartIn(cart);
    const cases = [
      { urls: { cart: NOTHING_THERE }, service: "cart" },
      { urls: { cart: cart.url, users: NOTHING_THERE }, service: "users" },
      { urls: { cart: cart.url, inventory: NOTHING_THERE }, service: "inventory" },
    ];

    for (const { urls, service } of cases) {
      const orders = await ordersCalling(urls);
      const failure = failureOf(await orders.execute(CHECKOUT, { input: { idempotencyKey: randomUUID() } }, as(userId)));
      assert.deepEqual([failure.code, failure.service, failure.reason], ["SERVICE_UNAVAILABLE", service, "unreachable"], service);
    }
  });
});
