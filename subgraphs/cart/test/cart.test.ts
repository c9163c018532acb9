import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { type InventoryPrisma, inventorySubgraph } from "@storefront/inventory";
import { errorCodes, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { cartIdOf } from "../src/domain/cart-id.ts";
import { cartSubgraph } from "../src/index.ts";
import { aCartOf, aCountingProxy, aCustomer, anAdmin, aProduct } from "./builders.ts";

const CART_FIELDS = `id itemCount updatedAt subtotal { amount currency }
  items { product { id } quantity unitPrice { amount currency } lineTotal { amount currency } purchasable }`;
const MY_CART = `{ cart { ${CART_FIELDS} } }`;
const USERS_CARTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id cart { ${CART_FIELDS} } } } }`;

type Money = { amount: number; currency: string };
type CartView = {
  id: string;
  itemCount: number;
  updatedAt: string | null;
  subtotal: Money | null;
  items: { product: { id: string }; quantity: number; unitPrice: Money | null; lineTotal: Money | null; purchasable: boolean | null }[];
};
type UsersCarts = { _entities: ({ id: string; cart: CartView | null } | null)[] };

const eur = (amount: number): Money => ({ amount, currency: "EUR" });
const users = (...ids: string[]) => ({ r: ids.map((id) => ({ __typename: "User", id })) });

describe("reading carts", () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let inventory: TestSubgraph<InventoryPrisma>;
  let catalogProxy: Awaited<ReturnType<typeof aCountingProxy>>;
  let cart: TestSubgraph<PrismaClient>;

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
    inventory = await startTestSubgraph(inventorySubgraph);
    catalogProxy = await aCountingProxy(catalog.url);
    cart = await startTestSubgraph(cartSubgraph, { subgraphUrls: { catalog: catalogProxy.url, inventory: inventory.url } });
  });
  after(async () => {
    await cart?.close();
    await catalogProxy?.close();
    await inventory?.close();
    await catalog?.close();
  });

  it("shows the signed-in customer's cart priced by the catalog: unit prices, line totals, subtotal and unit count", async () => {
    const kettle = await aProduct(catalog.prisma, { priceAmount: 2_500 });
    const mug = await aProduct(catalog.prisma, { priceAmount: 800 });
    const customer = aCustomer();
    await aCartOf(cart.prisma, customer.userId, [
      { productId: kettle.id, quantity: 2 },
      { productId: mug.id, quantity: 3 },
    ]);

    const { cart: mine } = await cart.query<{ cart: CartView }>(MY_CART, {}, { viewer: customer });

    assert.equal(mine.id, cartIdOf(customer.userId));
    assert.equal(mine.itemCount, 5);
    assert.deepEqual(mine.items, [
      { product: { id: kettle.id }, quantity: 2, unitPrice: eur(2_500), lineTotal: eur(5_000), purchasable: true },
      { product: { id: mug.id }, quantity: 3, unitPrice: eur(800), lineTotal: eur(2_400), purchasable: true },
    ]);
    assert.deepEqual(mine.subtotal, eur(7_400));
  });

  it("follows the catalog's price changes, because the cart stores no prices", async () => {
    const kettle = await aProduct(catalog.prisma, { priceAmount: 2_500 });
    const customer = aCustomer();
    await aCartOf(cart.prisma, customer.userId, [{ productId: kettle.id, quantity: 2 }]);

    await catalog.prisma.product.update({ where: { id: kettle.id }, data: { priceAmount: 1_999 } });
    const { cart: mine } = await cart.query<{ cart: CartView }>(MY_CART, {}, { viewer: customer });

    assert.deepEqual(mine.items[0]?.unitPrice, eur(1_999));
    assert.deepEqual(mine.subtotal, eur(3_998));
  });

  it("gives a customer who never added anything an empty cart, with its future id and without asking the catalog", async () => {
    const customer = aCustomer();
    const requestsBefore = catalogProxy.requests;

    const { cart: mine } = await cart.query<{ cart: CartView }>(MY_CART, {}, { viewer: customer });

    assert.deepEqual(mine, { id: cartIdOf(customer.userId), itemCount: 0, updatedAt: null, subtotal: null, items: [] });
    assert.equal(catalogProxy.requests, requestsBefore);
  });

  it("marks archived and vanished products as not purchasable and leaves them out of the subtotal", async () => {
    const kettle = await aProduct(catalog.prisma, { priceAmount: 2_500 });
    const archived = await aProduct(catalog.prisma, { priceAmount: 900, active: false });
    const vanished = randomUUID();
    const customer = aCustomer();
    await aCartOf(cart.prisma, customer.userId, [
      { productId: kettle.id, quantity: 1 },
      { productId: archived.id, quantity: 2 },
      { productId: vanished, quantity: 4 },
    ]);

    const { cart: mine } = await cart.query<{ cart: CartView }>(MY_CART, {}, { viewer: customer });

    assert.deepEqual(
      mine.items.map((item) => [item.product.id, item.purchasable, item.unitPrice, item.lineTotal]),
      [
        [kettle.id, true, eur(2_500), eur(2_500)],
        [archived.id, false, eur(900), eur(1_800)],
        [vanished, false, null, null],
      ],
    );
    assert.equal(mine.itemCount, 7);
    assert.deepEqual(mine.subtotal, eur(2_500));
  });

  it("shows no subtotal when the catalog now prices the cart's products in different currencies", async () => {
    const kettle = await aProduct(catalog.prisma, { priceAmount: 2_500, currency: "EUR" });
    const mug = await aProduct(catalog.prisma, { priceAmount: 900, currency: "EUR" });
    const customer = aCustomer();
    await aCartOf(cart.prisma, customer.userId, [
      { productId: kettle.id, quantity: 1 },
      { productId: mug.id, quantity: 1 },
    ]);
    await catalog.prisma.product.update({ where: { id: mug.id }, data: { priceCurrency: "USD" } });

    const { cart: mine } = await cart.query<{ cart: CartView }>(MY_CART, {}, { viewer: customer });

    assert.deepEqual(
      mine.items.map((item) => item.lineTotal),
      [eur(2_500), { amount: 900, currency: "USD" }],
    );
    assert.equal(mine.subtotal, null);
  });

  it("shows User.cart to the user themself and to an admin", async () => {
    const product = await aProduct(catalog.prisma);
    const customer = aCustomer();
    await aCartOf(cart.prisma, customer.userId, [{ productId: product.id, quantity: 2 }]);

    for (const viewer of [customer, anAdmin()]) {
      const data = await cart.query<UsersCarts>(USERS_CARTS, users(customer.userId), { viewer });
      assert.equal(data._entities[0]?.cart?.itemCount, 2, `as ${viewer.role}`);
    }
  });

  it("refuses another customer's User.cart with FORBIDDEN and shows the rest of the answer", async () => {
    const product = await aProduct(catalog.prisma);
    const [me, someoneElse] = [aCustomer(), aCustomer()];
    await aCartOf(cart.prisma, me.userId, [{ productId: product.id, quantity: 1 }]);
    await aCartOf(cart.prisma, someoneElse.userId, [{ productId: product.id, quantity: 5 }]);

    const result = await cart.execute<UsersCarts>(USERS_CARTS, users(me.userId, someoneElse.userId), { viewer: me });

    assert.deepEqual(errorCodes(result), ["FORBIDDEN"]);
    assert.deepEqual(result.errors?.[0]?.path, ["_entities", 1, "cart"]);
    assert.equal(result.data?._entities[0]?.cart?.itemCount, 1);
    // User.cart is nullable (a field cart adds to users' entity): the refusal nulls the cart, not the user
    assert.deepEqual(result.data?._entities[1], { id: someoneElse.userId, cart: null }, "nothing of the other customer's cart");
  });

  it("refuses carts to anonymous requests with UNAUTHENTICATED", async () => {
    const customer = aCustomer();
    await aCartOf(cart.prisma, customer.userId, [{ productId: randomUUID(), quantity: 1 }]);

    assert.deepEqual(errorCodes(await cart.execute(MY_CART)), ["UNAUTHENTICATED"]);
    const viaUser = await cart.execute<UsersCarts>(USERS_CARTS, users(customer.userId));
    assert.deepEqual(errorCodes(viaUser), ["UNAUTHENTICATED"]);
    assert.deepEqual(viaUser.data?._entities, [{ id: customer.userId, cart: null }]);
  });

  it("loads the carts of many users with a constant number of SQL statements and one catalog request", async () => {
    const products = await Promise.all(Array.from({ length: 3 }, (_, i) => aProduct(catalog.prisma, { priceAmount: 100 * (i + 1) })));
    const userIds = Array.from({ length: 10 }, () => randomUUID());
    for (const userId of userIds) {
      await aCartOf(
        cart.prisma,
        userId,
        products.map((product) => ({ productId: product.id, quantity: 1 })),
      );
    }
    const requestsBefore = catalogProxy.requests;

    const { result, count } = await cart.database.countQueries(() =>
      cart.query<UsersCarts>(USERS_CARTS, users(...userIds), { viewer: anAdmin() }),
    );

    assert.equal(result._entities.length, 10);
    assert.ok(result._entities.every((user) => user?.cart?.itemCount === 3 && user.cart.subtotal?.amount === 600));
    assert.equal(count, 2, "one statement for the carts, one for their items");
    assert.equal(catalogProxy.requests - requestsBefore, 1, "one catalog request for every line of every cart");
  });
});
