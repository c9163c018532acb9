// One checkout, retried with its idempotency key, concurrently or not, answers one way: the same order, or the same
// refusal. The saga runs for real around it: orders' outbox is relayed to an event bus and cart empties what was
// ordered on order.placed, inventory confirms the hold, while the retries are still arriving.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { ServiceTokens, Viewer } from "@storefront/auth";
import { type CartPrisma, cartSubgraph } from "@storefront/cart";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import {
  createEventConsumer,
  createInProcessBus,
  createOutboxRelay,
  type EventBus,
  type EventConsumer,
  type OutboxRelay,
} from "@storefront/events";
import { type InventoryPrisma, inventorySubgraph } from "@storefront/inventory";
import { silentLogger } from "@storefront/service";
import { createTestAuthority, errorCodes, type GraphQLResult, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { type UsersPrisma, usersSubgraph } from "@storefront/users";
import { checkoutOrderId } from "../src/checkout.ts";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { ordersSubgraph } from "../src/index.ts";

const CHECKOUT = "mutation($input: CheckoutInput!) { checkout(input: $input) { id status } }";
const ADD_TO_CART = "mutation($productId: ID!, $quantity: Int!) { addToCart(productId: $productId, quantity: $quantity) { itemCount } }";
const BURSTS = 12;
const PER_BURST = 6;

type Answer = GraphQLResult<{ checkout: { id: string; status: string } }>;
const as = (userId: string): { viewer: Viewer } => ({ viewer: { userId, role: "CUSTOMER", scopes: [] } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** What a client learns from an answer: the order's id, or the refusal's code and reason. */
const outcomeOf = (answer: Answer) =>
  answer.data?.checkout
    ? `order ${answer.data.checkout.id}`
    : `refused ${String(answer.errors?.[0]?.extensions?.code)} ${String(answer.errors?.[0]?.extensions?.reason ?? "")}`;

describe("checkout retried with one idempotency key: the same order or the same refusal", { timeout: 240_000 }, () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let inventory: TestSubgraph<InventoryPrisma>;
  let cart: TestSubgraph<CartPrisma>;
  let users: TestSubgraph<UsersPrisma>;
  let orders: TestSubgraph<PrismaClient>;
  let bus: EventBus;
  let relay: OutboxRelay;
  let consumers: EventConsumer[];
  /**
   * While set, the orders service's token requests wait for it: a slow token endpoint (users) holding up one attempt
   * between its look-up of the key and its read of the cart. `waiting` counts the requests held.
   */
  const tokenEndpoint: { slowUntil: Promise<void> | null; waiting: number } = { slowUntil: null, waiting: 0 };

  before(async () => {
    const authority = await createTestAuthority();
    const tokens = authority.serviceTokens("orders");
    const ordersTokens: ServiceTokens = {
      clientId: tokens.clientId,
      async token() {
        const slowUntil = tokenEndpoint.slowUntil;
        if (slowUntil) {
          tokenEndpoint.waiting++;
          await slowUntil;
          tokenEndpoint.waiting--;
        }
        return tokens.token();
      },
    };
    const { verifyAccessToken } = authority;
    [catalog, inventory, users] = await Promise.all([
      startTestSubgraph(catalogSubgraph),
      startTestSubgraph(inventorySubgraph, { verifyAccessToken }),
      startTestSubgraph(usersSubgraph, { verifyAccessToken }),
    ]);
    cart = await startTestSubgraph(cartSubgraph, { verifyAccessToken, subgraphUrls: { catalog: catalog.url, inventory: inventory.url } });
    orders = await startTestSubgraph(ordersSubgraph, {
      subgraphUrls: { catalog: catalog.url, inventory: inventory.url, cart: cart.url, users: users.url },
      serviceTokens: ordersTokens,
    });
    // order.placed leaves orders' outbox within milliseconds and empties the cart while the retries still arrive
    bus = createInProcessBus();
    relay = createOutboxRelay({ db: orders.prisma, bus, service: "orders", pollIntervalMs: 2 });
    // each subgraph's own handlers, as the runtime gives them to its consumer group
    const deps = {
      logger: silentLogger(),
      production: false,
      subgraphUrls: { catalog: catalog.url, inventory: inventory.url },
      outbox: { notify: () => {} },
      serviceSecrets: {},
      serviceTokens: null,
    };
    const cartHandlers = cartSubgraph.create({ ...deps, prisma: cart.prisma }).handlers;
    const inventoryHandlers = inventorySubgraph.create({ ...deps, prisma: inventory.prisma }).handlers;
    assert.ok(cartHandlers && inventoryHandlers);
    consumers = [
      createEventConsumer({ bus, groupId: "cart", db: cart.prisma, handlers: cartHandlers }),
      createEventConsumer({ bus, groupId: "inventory", db: inventory.prisma, handlers: inventoryHandlers }),
    ];
    await Promise.all(consumers.map((consumer) => consumer.start()));
    relay.start();
  });
  after(async () => {
    await relay?.stop();
    await Promise.all((consumers ?? []).map((consumer) => consumer.stop()));
    await bus?.close();
    await Promise.all([orders, cart].map((subgraph) => subgraph?.close()));
    await Promise.all([catalog, inventory, users].map((subgraph) => subgraph?.close()));
  });

  async function aStockedProduct(onHand: number) {
    const product = await catalog.prisma.product.create({
      data: { sku: `SKU-${randomUUID().slice(0, 8)}`, name: "Teapot", priceAmount: 3_000, priceCurrency: "EUR", active: true },
    });
    await inventory.prisma.stockLevel.create({ data: { productId: product.id, onHand } });
    return product.id;
  }
  /** A customer with a default address and `quantity` units of the product in their cart. */
  async function aCustomerWithCart(productId: string, quantity: number) {
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
    await cart.query(ADD_TO_CART, { productId, quantity }, as(user.id));
    return user.id;
  }
  const checkout = (userId: string, idempotencyKey: string): Promise<Answer> =>
    orders.execute(CHECKOUT, { input: { idempotencyKey } }, as(userId));
  /** `count` checkouts with one key, started a few milliseconds apart so that some overlap the first one's order.placed. */
  const burst = (userId: string, idempotencyKey: string, count: number): Promise<Answer[]> =>
    Promise.all(
      Array.from({ length: count }, async (_, i) => {
        await sleep(i * 7);
        return checkout(userId, idempotencyKey);
      }),
    );
  const cartItemsOf = (userId: string) => cart.prisma.cartItem.count({ where: { cart: { userId } } });

  it(`answers ${BURSTS} bursts of ${PER_BURST} concurrent checkouts with one key each, cart untouched, with one order per burst`, async () => {
    const productId = await aStockedProduct(BURSTS * 2);
    const seen: string[][] = [];
    for (let i = 0; i < BURSTS; i++) {
      const userId = await aCustomerWithCart(productId, 2);
      const key = `burst-${i}-${randomUUID()}`;

      const answers = await burst(userId, key, PER_BURST);
      const again = await checkout(userId, key);

      const outcomes = [...answers, again].map(outcomeOf);
      seen.push(outcomes);
      assert.deepEqual(new Set(outcomes), new Set([`order ${checkoutOrderId(userId, key)}`]), `burst ${i}: ${outcomes.join(", ")}`);
      assert.equal(await orders.prisma.order.count({ where: { userId } }), 1);
    }
    assert.equal(seen.length, BURSTS);
    const stock = await inventory.prisma.stockLevel.findUniqueOrThrow({ where: { productId } });
    assert.deepEqual(
      { onHand: stock.onHand, reserved: stock.reserved },
      { onHand: BURSTS * 2, reserved: BURSTS * 2 },
      "one hold per order",
    );
  });

  it("empties the cart on order.placed while the retries arrive: the scene the bursts play in", async () => {
    const productId = await aStockedProduct(2);
    const userId = await aCustomerWithCart(productId, 1);
    const key = randomUUID();

    const [first] = await burst(userId, key, 1);
    assert.ok(first?.data?.checkout);
    await waitFor(async () => (await cartItemsOf(userId)) === 0, "order.placed empties the cart");
    const hold = await inventory.prisma.reservation.findFirstOrThrow({ where: { orderId: first.data.checkout.id } });
    await waitFor(
      async () => (await inventory.prisma.reservation.findUniqueOrThrow({ where: { id: hold.id } })).confirmedAt !== null,
      "order.placed confirms the hold",
    );

    // the cart is empty now, and the key still answers its order
    assert.equal(outcomeOf(await checkout(userId, key)), `order ${first.data.checkout.id}`);
  });

  it("answers a retry with the key's order when the first attempt's order.placed emptied the cart before the retry read it", async () => {
    const productId = await aStockedProduct(5);
    const userId = await aCustomerWithCart(productId, 2);
    const key = randomUUID();
    let letTheRetryGoOn = () => {};
    tokenEndpoint.slowUntil = new Promise<void>((resolve) => {
      letTheRetryGoOn = resolve;
    });

    // the retry looks the key up (no order yet), then waits for its tokens to read the cart and the address book
    const retry = checkout(userId, key);
    await waitFor(async () => tokenEndpoint.waiting === 2, "the retry waits for its tokens");
    tokenEndpoint.slowUntil = null;
    // meanwhile the first attempt places the order, and its order.placed empties the cart
    const first = await checkout(userId, key);
    assert.match(outcomeOf(first), /^order /);
    await waitFor(async () => (await cartItemsOf(userId)) === 0, "order.placed empties the cart");
    letTheRetryGoOn();

    assert.equal(outcomeOf(await retry), outcomeOf(first));
    assert.equal(await orders.prisma.order.count({ where: { userId } }), 1);
    assert.equal((await inventory.prisma.stockLevel.findUniqueOrThrow({ where: { productId } })).reserved, 2);
  });

  it("answers every attempt of a refused key with the same refusal, concurrent or not, even once the stock is back", async () => {
    const productId = await aStockedProduct(2);
    const userId = await aCustomerWithCart(productId, 2);
    const key = randomUUID();
    // someone else bought one after the cart was filled
    await inventory.prisma.stockLevel.update({ where: { productId }, data: { onHand: 1 } });

    const answers = await burst(userId, key, PER_BURST);
    await inventory.prisma.stockLevel.update({ where: { productId }, data: { onHand: 10 } });
    const afterRestock = await checkout(userId, key);

    for (const answer of [...answers, afterRestock]) {
      assert.deepEqual(errorCodes(answer), ["OUT_OF_STOCK"]);
      assert.deepEqual(answer.errors?.[0]?.extensions?.lines, [{ productId, quantity: 2 }]);
    }
    assert.equal(await orders.prisma.order.count({ where: { userId } }), 0);
    assert.equal((await inventory.prisma.stockLevel.findUniqueOrThrow({ where: { productId } })).reserved, 0);
    // a new key is a new checkout
    assert.match(outcomeOf(await checkout(userId, randomUUID())), /^order /);
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}
