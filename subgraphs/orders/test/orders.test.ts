import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Viewer } from "@storefront/auth";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { errorCodes, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { ordersSubgraph } from "../src/index.ts";

const PLACE_ORDER = `mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    id status subtotal { amount currency } total { amount currency }
    items { product { id } sku productName quantity unitPrice { amount currency } lineTotal { amount } }
    statusHistory { from to actor reason }
    customer { id }
  }
}`;

type PlacedOrder = {
  id: string;
  status: string;
  total: { amount: number; currency: string };
  subtotal: { amount: number; currency: string };
  items: {
    product: { id: string };
    sku: string;
    productName: string;
    quantity: number;
    unitPrice: { amount: number };
    lineTotal: { amount: number };
  }[];
  statusHistory: { from: string | null; to: string; actor: string; reason: string | null }[];
  customer: { id: string };
};

const customer = (userId: string): { viewer: Viewer } => ({ viewer: { userId, role: "CUSTOMER", scopes: [] } });

describe("orders subgraph", () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let orders: TestSubgraph<PrismaClient>;

  const aProduct = (overrides: { priceAmount?: number; active?: boolean; name?: string } = {}) =>
    catalog.prisma.product.create({
      data: {
        sku: `SKU-${randomUUID().slice(0, 8)}`,
        name: overrides.name ?? "Kettle",
        priceAmount: overrides.priceAmount ?? 2_500,
        priceCurrency: "EUR",
        active: overrides.active ?? true,
      },
    });
  const outboxRows = () => orders.prisma.outboxEvent.findMany({ orderBy: { seq: "asc" } });

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
    orders = await startTestSubgraph(ordersSubgraph, { subgraphUrls: { catalog: catalog.url } });
  });
  after(async () => {
    await orders?.close();
    await catalog?.close();
  });

  it("places an order at the catalog's prices and writes its order.placed event in the same transaction", async () => {
    const kettle = await aProduct({ name: "Kettle", priceAmount: 2_500 });
    const mugs = await aProduct({ name: "Mug", priceAmount: 800 });
    const userId = randomUUID();
    const before = (await outboxRows()).length;

    const { placeOrder } = await orders.query<{ placeOrder: PlacedOrder }>(
      PLACE_ORDER,
      {
        input: {
          items: [
            { productId: kettle.id, quantity: 1 },
            { productId: mugs.id, quantity: 3 },
          ],
        },
      },
      customer(userId),
    );

    assert.equal(placeOrder.status, "PENDING_PAYMENT");
    assert.deepEqual(placeOrder.subtotal, { amount: 2_500 + 3 * 800, currency: "EUR" });
    assert.deepEqual(placeOrder.total, placeOrder.subtotal);
    assert.deepEqual(
      placeOrder.items.map((i) => [i.product.id, i.productName, i.quantity, i.unitPrice.amount, i.lineTotal.amount]),
      [
        [kettle.id, "Kettle", 1, 2_500, 2_500],
        [mugs.id, "Mug", 3, 800, 2_400],
      ],
    );
    assert.deepEqual(placeOrder.statusHistory, [{ from: null, to: "PENDING_PAYMENT", actor: userId, reason: "order placed" }]);
    assert.deepEqual(placeOrder.customer, { id: userId });

    const rows = (await outboxRows()).slice(before);
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.equal(row?.type, "order.placed.v1");
    assert.equal(row?.key, placeOrder.id);
    assert.equal(row?.topic, "storefront.orders");
    const event = row?.payload as {
      specversion: string;
      subject: string;
      data: { orderId: string; userId: string; total: unknown; items: unknown[] };
    };
    assert.equal(event.specversion, "1.0");
    assert.equal(event.subject, placeOrder.id);
    assert.deepEqual(event.data.total, { amount: 4_900, currency: "EUR" });
    assert.equal(event.data.items.length, 2);
    assert.ok(orders.outboxNotifications.count > 0, "the relay was woken after the commit");
  });

  it("returns the first order for a repeated idempotency key, also when the retries race", async () => {
    const product = await aProduct();
    const userId = randomUUID();
    const input = { idempotencyKey: `checkout-${randomUUID()}`, items: [{ productId: product.id, quantity: 2 }] };
    const before = (await outboxRows()).length;

    const results = await Promise.all(
      Array.from({ length: 5 }, () => orders.query<{ placeOrder: PlacedOrder }>(PLACE_ORDER, { input }, customer(userId))),
    );
    const again = await orders.query<{ placeOrder: PlacedOrder }>(PLACE_ORDER, { input }, customer(userId));

    const ids = new Set([...results, again].map((r) => r.placeOrder.id));
    assert.equal(ids.size, 1);
    assert.equal(await orders.prisma.order.count({ where: { userId } }), 1);
    assert.equal((await outboxRows()).length - before, 1, "one order.placed event");
  });

  it("refuses bad orders with a clear code and writes nothing", async () => {
    const archived = await aProduct({ active: false, name: "Old Kettle" });
    const good = await aProduct();
    const userId = randomUUID();
    const place = (items: unknown[], extra: Record<string, unknown> = {}) =>
      orders.execute(PLACE_ORDER, { input: { items, ...extra } }, customer(userId));
    const ordersBefore = await orders.prisma.order.count();
    const eventsBefore = (await outboxRows()).length;

    assert.deepEqual(errorCodes(await place([])), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await place([{ productId: good.id, quantity: 0 }])), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await place([{ productId: good.id, quantity: 101 }])), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await place([{ productId: "not-a-uuid", quantity: 1 }])), ["BAD_USER_INPUT"]);
    assert.deepEqual(
      errorCodes(
        await place([
          { productId: good.id, quantity: 1 },
          { productId: good.id, quantity: 1 },
        ]),
      ),
      ["BAD_USER_INPUT"],
    );
    assert.deepEqual(errorCodes(await place([{ productId: archived.id, quantity: 1 }])), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await place([{ productId: randomUUID(), quantity: 1 }])), ["NOT_FOUND"]);
    assert.deepEqual(errorCodes(await place([{ productId: good.id, quantity: 1 }], { idempotencyKey: "" })), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await orders.execute(PLACE_ORDER, { input: { items: [{ productId: good.id, quantity: 1 }] } })), [
      "UNAUTHENTICATED",
    ]);

    assert.equal(await orders.prisma.order.count(), ordersBefore);
    assert.equal((await outboxRows()).length, eventsBefore);
  });

  it("lists a user's orders newest first, a page at a time", async () => {
    const product = await aProduct();
    const userId = randomUUID();
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { placeOrder } = await orders.query<{ placeOrder: PlacedOrder }>(
        PLACE_ORDER,
        { input: { items: [{ productId: product.id, quantity: 1 }] } },
        customer(userId),
      );
      placed.push(placeOrder.id);
    }
    type Page = {
      _entities: {
        orders: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      }[];
    };
    const page = `query($representations: [_Any!]!, $after: String) { _entities(representations: $representations) {
      ... on User { orders(first: 2, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } } } }`;
    const representations = [{ __typename: "User", id: userId }];
    const first = await orders.query<Page>(page, { representations }, customer(userId));
    const firstPage = first._entities[0]?.orders;
    const second = await orders.query<Page>(page, { representations, after: firstPage?.pageInfo.endCursor }, customer(userId));

    assert.equal(firstPage?.totalCount, 3);
    assert.equal(firstPage?.pageInfo.hasNextPage, true);
    assert.deepEqual(
      [...(firstPage?.edges ?? []), ...(second._entities[0]?.orders.edges ?? [])].map((e) => e.node.id),
      [...placed].reverse(),
    );
  });

  it("resolves Order references in one batch and null for unknown ids", async () => {
    const product = await aProduct();
    const userId = randomUUID();
    const { placeOrder } = await orders.query<{ placeOrder: PlacedOrder }>(
      PLACE_ORDER,
      { input: { items: [{ productId: product.id, quantity: 1 }] } },
      customer(userId),
    );
    const data = await orders.query<{ _entities: unknown[] }>(
      "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id status total { amount } } } }",
      {
        r: [
          { __typename: "Order", id: placeOrder.id },
          { __typename: "Order", id: randomUUID() },
        ],
      },
      customer(userId),
    );
    assert.deepEqual(data._entities, [{ id: placeOrder.id, status: "PENDING_PAYMENT", total: { amount: 2_500 } }, null]);
  });

  it("shows an order and a customer's order list only to that customer and admins", async () => {
    const product = await aProduct();
    const owner = randomUUID();
    const { placeOrder } = await orders.query<{ placeOrder: PlacedOrder }>(
      PLACE_ORDER,
      { input: { items: [{ productId: product.id, quantity: 1 }] } },
      customer(owner),
    );
    const byId = "query($id: ID!) { order(id: $id) { id total { amount } } }";
    const list = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { orders { totalCount } } } }";
    const entity = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id total { amount } } } }";
    const stranger = customer(randomUUID());
    const admin = { viewer: { userId: randomUUID(), role: "ADMIN" as const, scopes: ["admin"] } };

    assert.deepEqual(await orders.query(byId, { id: placeOrder.id }, customer(owner)), {
      order: { id: placeOrder.id, total: { amount: 2_500 } },
    });
    assert.deepEqual(await orders.query(byId, { id: placeOrder.id }, admin), { order: { id: placeOrder.id, total: { amount: 2_500 } } });
    assert.deepEqual(errorCodes(await orders.execute(byId, { id: placeOrder.id }, stranger)), ["FORBIDDEN"]);
    assert.deepEqual(errorCodes(await orders.execute(byId, { id: placeOrder.id })), ["UNAUTHENTICATED"]);
    assert.deepEqual(errorCodes(await orders.execute(list, { r: [{ __typename: "User", id: owner }] }, stranger)), ["FORBIDDEN"]);
    assert.deepEqual(errorCodes(await orders.execute(entity, { r: [{ __typename: "Order", id: placeOrder.id }] }, stranger)), [
      "FORBIDDEN",
    ]);
    assert.deepEqual(await orders.query(list, { r: [{ __typename: "User", id: owner }] }, admin), {
      _entities: [{ orders: { totalCount: 1 } }],
    });
  });
});
