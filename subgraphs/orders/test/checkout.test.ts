import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Viewer } from "@storefront/auth";
import { type CartPrisma, cartSubgraph } from "@storefront/cart";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { type InventoryPrisma, inventorySubgraph } from "@storefront/inventory";
import { createTestAuthority, errorCodes, type GraphQLResult, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { type UsersPrisma, usersSubgraph } from "@storefront/users";
import { checkoutOrderId } from "../src/checkout.ts";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { ordersSubgraph } from "../src/index.ts";

const CHECKOUT = `mutation($input: CheckoutInput!) {
  checkout(input: $input) {
    id status customer { id }
    subtotal { amount currency } total { amount currency }
    items { product { id } sku productName quantity unitPrice { amount currency } lineTotal { amount } }
    shippingAddress { recipientName line1 line2 city region postalCode countryCode phone }
    statusHistory { from to actor reason }
  }
}`;
const ADD_TO_CART = "mutation($productId: ID!, $quantity: Int!) { addToCart(productId: $productId, quantity: $quantity) { itemCount } }";

type CheckedOut = {
  id: string;
  status: string;
  customer: { id: string };
  subtotal: { amount: number; currency: string };
  total: { amount: number; currency: string };
  items: {
    product: { id: string };
    sku: string;
    productName: string;
    quantity: number;
    unitPrice: { amount: number };
    lineTotal: { amount: number };
  }[];
  shippingAddress: Record<string, string | null> | null;
  statusHistory: { from: string | null; to: string; actor: string; reason: string | null }[];
};

const as = (userId: string): { viewer: Viewer } => ({ viewer: { userId, role: "CUSTOMER", scopes: [] } });
const key = () => `checkout-${randomUUID()}`;

describe("checkout: the cart becomes an order, its stock reserved first", () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let inventory: TestSubgraph<InventoryPrisma>;
  let cart: TestSubgraph<CartPrisma>;
  let users: TestSubgraph<UsersPrisma>;
  let orders: TestSubgraph<PrismaClient>;
  let authority: Awaited<ReturnType<typeof createTestAuthority>>;

  before(async () => {
    authority = await createTestAuthority();
    const { verifyAccessToken } = authority;
    [catalog, inventory, users] = await Promise.all([
      startTestSubgraph(catalogSubgraph),
      startTestSubgraph(inventorySubgraph, { verifyAccessToken }),
      startTestSubgraph(usersSubgraph, { verifyAccessToken }),
    ]);
    cart = await startTestSubgraph(cartSubgraph, { verifyAccessToken, subgraphUrls: { catalog: catalog.url, inventory: inventory.url } });
    orders = await startTestSubgraph(ordersSubgraph, {
      subgraphUrls: { catalog: catalog.url, inventory: inventory.url, cart: cart.url, users: users.url },
      serviceTokens: authority.serviceTokens("orders"),
    });
  });
  after(async () => {
    await Promise.all([orders, cart].map((subgraph) => subgraph?.close()));
    await Promise.all([catalog, inventory, users].map((subgraph) => subgraph?.close()));
  });

  /** An active product priced in EUR with `onHand` units in the warehouse. */
  async function aStockedProduct(name: string, priceAmount: number, onHand: number) {
    const product = await catalog.prisma.product.create({
      data: { sku: `SKU-${randomUUID().slice(0, 8)}`, name, priceAmount, priceCurrency: "EUR", active: true },
    });
    await inventory.prisma.stockLevel.create({ data: { productId: product.id, onHand } });
    return product;
  }

  /** A customer account with a default address (unless `withAddress` is false). */
  async function aCustomer({ withAddress = true } = {}) {
    const user = await users.prisma.user.create({ data: { email: `${randomUUID()}@example.com`, name: "Robin", role: "CUSTOMER" } });
    if (withAddress) {
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
    }
    return user.id;
  }

  const fillCart = async (userId: string, lines: readonly { productId: string; quantity: number }[]) => {
    for (const line of lines) await cart.query(ADD_TO_CART, line, as(userId));
  };
  const checkout = (userId: string, input: Record<string, unknown> = {}): Promise<GraphQLResult<{ checkout: CheckedOut }>> =>
    orders.execute<{ checkout: CheckedOut }>(CHECKOUT, { input: { idempotencyKey: key(), ...input } }, as(userId));
  const stockOf = (productId: string) => inventory.prisma.stockLevel.findUniqueOrThrow({ where: { productId } });
  const ordersOf = (userId: string) => orders.prisma.order.count({ where: { userId } });
  const eventsOf = (orderId: string) => orders.prisma.outboxEvent.findMany({ where: { key: orderId } });
  const heldFor = (productId: string) => inventory.prisma.reservation.count({ where: { productId, status: "HELD" } });

  it("orders the cart at the catalog's prices, ships to the default address, reserves the stock and writes order.placed", async () => {
    const kettle = await aStockedProduct("Kettle", 2_500, 10);
    const mug = await aStockedProduct("Mug", 800, 10);
    const userId = await aCustomer();
    await fillCart(userId, [
      { productId: kettle.id, quantity: 1 },
      { productId: mug.id, quantity: 3 },
    ]);
    // the catalog's price changes after the cart was filled: the order takes the price at checkout
    await catalog.prisma.product.update({ where: { id: mug.id }, data: { priceAmount: 900 } });
    const idempotencyKey = key();

    const result = await orders.execute<{ checkout: CheckedOut }>(CHECKOUT, { input: { idempotencyKey } }, as(userId));

    assert.deepEqual(result.errors, undefined);
    const order = result.data?.checkout as CheckedOut;
    assert.equal(order.id, checkoutOrderId(userId, idempotencyKey));
    assert.equal(order.status, "PENDING_PAYMENT");
    assert.deepEqual(order.customer, { id: userId });
    assert.deepEqual(order.subtotal, { amount: 2_500 + 3 * 900, currency: "EUR" });
    assert.deepEqual(order.total, order.subtotal);
    assert.deepEqual(
      order.items.map((item) => [item.product.id, item.productName, item.quantity, item.unitPrice.amount, item.lineTotal.amount]),
      [
        [kettle.id, "Kettle", 1, 2_500, 2_500],
        [mug.id, "Mug", 3, 900, 2_700],
      ],
    );
    assert.deepEqual(order.shippingAddress, {
      recipientName: "Robin Roe",
      line1: "Hauptstr. 1",
      line2: null,
      city: "Berlin",
      region: null,
      postalCode: "10115",
      countryCode: "DE",
      phone: null,
    });
    assert.deepEqual(order.statusHistory, [{ from: null, to: "PENDING_PAYMENT", actor: userId, reason: "order placed" }]);

    assert.deepEqual(
      (await eventsOf(order.id)).map((row) => row.type),
      ["order.placed.v1"],
    );
    assert.deepEqual(
      await inventory.prisma.reservation.findMany({
        where: { orderId: order.id },
        select: { productId: true, quantity: true, status: true },
        orderBy: { productId: "asc" },
      }),
      [
        { productId: kettle.id, quantity: 1, status: "HELD" },
        { productId: mug.id, quantity: 3, status: "HELD" },
      ].sort((a, b) => a.productId.localeCompare(b.productId)),
    );
    assert.equal((await stockOf(mug.id)).reserved, 3);
    assert.ok(orders.outboxNotifications.count > 0, "the relay was woken after the commit");
  });

  it("ships to the address chosen from the address book", async () => {
    const product = await aStockedProduct("Lamp", 4_000, 5);
    const userId = await aCustomer();
    const office = await users.prisma.address.create({
      data: {
        userId,
        recipientName: "Robin at work",
        line1: "Am Markt 5",
        line2: "3rd floor",
        city: "Leipzig",
        postalCode: "04109",
        countryCode: "DE",
        phone: "+49 341 000",
      },
    });
    await fillCart(userId, [{ productId: product.id, quantity: 1 }]);

    const result = await checkout(userId, { shippingAddressId: office.id });

    assert.deepEqual(result.errors, undefined);
    assert.equal(result.data?.checkout.shippingAddress?.recipientName, "Robin at work");
    assert.equal(result.data?.checkout.shippingAddress?.line2, "3rd floor");
    assert.equal(result.data?.checkout.shippingAddress?.phone, "+49 341 000");
  });

  it("returns the same order for the same key, also when the retries race, and reserves once", async () => {
    const product = await aStockedProduct("Teapot", 3_000, 4);
    const userId = await aCustomer();
    await fillCart(userId, [{ productId: product.id, quantity: 2 }]);
    const input = { idempotencyKey: key() };

    const results = await Promise.all(
      Array.from({ length: 5 }, () => orders.execute<{ checkout: CheckedOut }>(CHECKOUT, { input }, as(userId))),
    );
    const again = await orders.execute<{ checkout: CheckedOut }>(CHECKOUT, { input }, as(userId));

    for (const result of [...results, again]) assert.deepEqual(result.errors, undefined);
    assert.equal(new Set([...results, again].map((result) => result.data?.checkout.id)).size, 1);
    assert.equal(await ordersOf(userId), 1);
    assert.equal((await eventsOf(results[0]?.data?.checkout.id as string)).length, 1, "one order.placed event");
    assert.equal((await stockOf(product.id)).reserved, 2, "the stock of one order is held, once");
  });

  it("refuses an empty cart, a product no longer sold and a customer without an address, storing and reserving nothing", async () => {
    const product = await aStockedProduct("Vase", 1_500, 5);
    const archived = await aStockedProduct("Old vase", 1_000, 5);
    const empty = await aCustomer();
    const homeless = await aCustomer({ withAddress: false });
    const withArchived = await aCustomer();
    await fillCart(homeless, [{ productId: product.id, quantity: 1 }]);
    await fillCart(withArchived, [
      { productId: product.id, quantity: 1 },
      { productId: archived.id, quantity: 1 },
    ]);
    await catalog.prisma.product.update({ where: { id: archived.id }, data: { active: false } });
    const eventsBefore = await orders.prisma.outboxEvent.count();

    const emptyCart = await checkout(empty);
    const noAddress = await checkout(homeless);
    const unknownAddress = await checkout(withArchived, { shippingAddressId: randomUUID() });
    const notSold = await checkout(withArchived);

    assert.deepEqual(errorCodes(emptyCart), ["BAD_USER_INPUT"]);
    assert.equal(emptyCart.errors?.[0]?.extensions?.reason, "cart_empty");
    assert.deepEqual(errorCodes(noAddress), ["BAD_USER_INPUT"]);
    assert.equal(noAddress.errors?.[0]?.extensions?.reason, "no_shipping_address");
    assert.deepEqual(errorCodes(unknownAddress), ["NOT_FOUND"]);
    assert.equal(unknownAddress.errors?.[0]?.extensions?.argument, "input.shippingAddressId");
    assert.deepEqual(errorCodes(notSold), ["BAD_USER_INPUT"]);
    assert.equal(notSold.errors?.[0]?.extensions?.reason, "product_unavailable");
    assert.equal(notSold.errors?.[0]?.extensions?.productId, archived.id);

    for (const userId of [empty, homeless, withArchived]) assert.equal(await ordersOf(userId), 0);
    assert.equal(await orders.prisma.outboxEvent.count(), eventsBefore);
    assert.equal(await heldFor(product.id), 0);
    assert.equal((await stockOf(product.id)).reserved, 0);
  });

  it("refuses more than the stock holds with OUT_OF_STOCK naming the short items, and holds nothing of the others", async () => {
    const plenty = await aStockedProduct("Spoon", 300, 50);
    const scarce = await aStockedProduct("Sugar bowl", 1_200, 3);
    const userId = await aCustomer();
    await fillCart(userId, [
      { productId: plenty.id, quantity: 2 },
      { productId: scarce.id, quantity: 3 },
    ]);
    // someone else bought two after the cart was filled
    await inventory.prisma.stockLevel.update({ where: { productId: scarce.id }, data: { onHand: 1 } });

    const result = await checkout(userId);

    assert.deepEqual(errorCodes(result), ["OUT_OF_STOCK"]);
    assert.deepEqual(result.errors?.[0]?.extensions?.lines, [{ productId: scarce.id, quantity: 3 }]);
    assert.equal(await ordersOf(userId), 0);
    assert.equal((await stockOf(plenty.id)).reserved, 0, "an order is reserved whole or not at all");
    assert.equal((await stockOf(scarce.id)).reserved, 0);
  });

  it("lets exactly 5 of 20 customers racing for the last 5 units check out", async () => {
    const product = await aStockedProduct("Limited print", 9_900, 5);
    const customers = await Promise.all(Array.from({ length: 20 }, () => aCustomer()));
    for (const userId of customers) await fillCart(userId, [{ productId: product.id, quantity: 1 }]);
    // the carts were filled while stock lasted; now everyone checks out at once
    const results = await Promise.all(customers.map((userId) => checkout(userId)));

    const codes = results.map((result) => errorCodes(result)[0] ?? "OK");
    assert.equal(codes.filter((code) => code === "OK").length, 5, codes.join(" "));
    assert.equal(codes.filter((code) => code === "OUT_OF_STOCK").length, 15, codes.join(" "));
    assert.equal(await orders.prisma.orderItem.count({ where: { productId: product.id } }), 5);
    const stock = await stockOf(product.id);
    assert.equal(stock.reserved, 5);
    assert.equal(stock.onHand, 5);
  });

  it("answers SERVICE_UNAVAILABLE and stores nothing when inventory cannot be reached", async () => {
    const product = await aStockedProduct("Clock", 5_000, 5);
    const userId = await aCustomer();
    await fillCart(userId, [{ productId: product.id, quantity: 1 }]);
    const stranded = await startTestSubgraph(ordersSubgraph, {
      // nothing listens on port 9 of this machine
      subgraphUrls: { catalog: catalog.url, inventory: "http://127.0.0.1:9/graphql", cart: cart.url, users: users.url },
      serviceTokens: authority.serviceTokens("orders"),
    });
    try {
      const result = await stranded.execute(CHECKOUT, { input: { idempotencyKey: key() } }, as(userId));
      assert.deepEqual(errorCodes(result), ["SERVICE_UNAVAILABLE"]);
      assert.equal(await stranded.prisma.order.count(), 0);
      assert.equal(await stranded.prisma.outboxEvent.count(), 0);
    } finally {
      await stranded.close();
    }
  });

  it("refuses anonymous callers, services and bad idempotency keys", async () => {
    const userId = await aCustomer();
    const service: { viewer: Viewer } = { viewer: { userId: randomUUID(), role: "SERVICE", scopes: ["inventory:reserve"] } };

    assert.deepEqual(errorCodes(await orders.execute(CHECKOUT, { input: { idempotencyKey: key() } })), ["UNAUTHENTICATED"]);
    assert.deepEqual(errorCodes(await orders.execute(CHECKOUT, { input: { idempotencyKey: key() } }, service)), ["FORBIDDEN"]);
    assert.deepEqual(errorCodes(await checkout(userId, { idempotencyKey: "" })), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await checkout(userId, { idempotencyKey: "k".repeat(201) })), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await checkout(userId, { shippingAddressId: "home" })), ["NOT_FOUND"]);
  });
});
