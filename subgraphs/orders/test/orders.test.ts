import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Viewer } from "@storefront/auth";
import { errorCodes, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { ordersSubgraph } from "../src/index.ts";
import { aCustomer, anAddress, anAdmin, anOrderIn } from "./builders.ts";

const ORDER = `query($id: ID!) {
  order(id: $id) {
    id status subtotal { amount currency } total { amount currency }
    items { product { id } sku productName quantity unitPrice { amount currency } lineTotal { amount } }
    shippingAddress { recipientName line1 line2 city region postalCode countryCode phone }
    statusHistory { from to actor reason }
    customer { id }
  }
}`;

type StoredOrder = {
  id: string;
  status: string;
  total: { amount: number; currency: string };
  subtotal: { amount: number; currency: string };
  items: { product: { id: string }; quantity: number; unitPrice: { amount: number }; lineTotal: { amount: number } }[];
  shippingAddress: Record<string, string | null>;
  statusHistory: { from: string | null; to: string; actor: string; reason: string | null }[];
  customer: { id: string };
};

const customer = (userId: string): { viewer: Viewer } => ({ viewer: { userId, role: "CUSTOMER", scopes: [] } });

describe("orders subgraph", () => {
  let orders: TestSubgraph<PrismaClient>;

  before(async () => {
    orders = await startTestSubgraph(ordersSubgraph);
  });
  after(async () => {
    await orders?.close();
  });

  it("stores an order with its history and its order.placed event (CloudEvents, keyed by order) in one transaction", async () => {
    const userId = randomUUID();
    const kettle = randomUUID();
    const order = await anOrderIn(orders.prisma, {
      userId,
      lines: [
        { productId: kettle, quantity: 1, unitPriceAmount: 2_500 },
        { quantity: 3, unitPriceAmount: 800 },
      ],
    });

    const { order: read } = await orders.query<{ order: StoredOrder }>(ORDER, { id: order.id }, customer(userId));
    assert.equal(read.status, "PENDING_PAYMENT");
    assert.deepEqual(read.subtotal, { amount: 2_500 + 3 * 800, currency: "EUR" });
    assert.deepEqual(read.total, read.subtotal);
    assert.deepEqual(
      read.items.map((i) => [i.product.id, i.quantity, i.unitPrice.amount, i.lineTotal.amount]),
      [
        [kettle, 1, 2_500, 2_500],
        [read.items[1]?.product.id, 3, 800, 2_400],
      ],
    );
    assert.deepEqual(read.shippingAddress, { ...anAddress });
    assert.deepEqual(read.statusHistory, [{ from: null, to: "PENDING_PAYMENT", actor: userId, reason: "order placed" }]);
    assert.deepEqual(read.customer, { id: userId });

    const rows = await orders.prisma.outboxEvent.findMany({ where: { key: order.id } });
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.equal(row?.type, "order.placed.v1");
    assert.equal(row?.topic, "storefront.orders");
    const event = row?.payload as {
      specversion: string;
      subject: string;
      data: { orderId: string; userId: string; total: unknown; items: unknown[] };
    };
    assert.equal(event.specversion, "1.0");
    assert.equal(event.subject, order.id);
    assert.deepEqual(event.data.total, { amount: 4_900, currency: "EUR" });
    assert.equal(event.data.userId, userId);
    assert.equal(event.data.items.length, 2);
  });

  it("lists a user's orders newest first, a page at a time", async () => {
    const userId = randomUUID();
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) placed.push((await anOrderIn(orders.prisma, { userId })).id);
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

  it("lists every customer's orders to an admin, newest first, a page at a time, filtered by status", async () => {
    const [older, paid, newer] = [await anOrderIn(orders.prisma), await anOrderIn(orders.prisma), await anOrderIn(orders.prisma)];
    await orders.prisma.order.update({ where: { id: paid.id }, data: { status: "PAID" } });
    type Page = {
      orders: {
        totalCount: number;
        edges: { node: { id: string; status: string; customer: { id: string } } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const list = `query($first: Int, $after: String, $filter: OrderFilter) { orders(first: $first, after: $after, filter: $filter) {
      totalCount edges { node { id status customer { id } } } pageInfo { hasNextPage endCursor } } }`;
    const admin = anAdmin();
    const walk = async (filter?: { status: string[] }) => {
      const nodes: Page["orders"]["edges"][number]["node"][] = [];
      const totals = new Set<number>();
      let after: string | null = null;
      do {
        const { orders: page }: Page = await orders.query<Page>(list, { first: 2, after, filter }, admin);
        nodes.push(...page.edges.map((edge) => edge.node));
        totals.add(page.totalCount);
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      assert.equal(totals.size, 1, "the same totalCount on every page");
      return { nodes, totalCount: [...totals][0] };
    };

    const everything = await walk();
    const stored = await orders.prisma.order.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    assert.deepEqual(
      everything.nodes.map((node) => node.id),
      stored.map((row) => row.id),
    );
    assert.equal(everything.totalCount, stored.length);
    const mine = everything.nodes.filter((node) => [older.id, paid.id, newer.id].includes(node.id));
    assert.deepEqual(
      mine.map((node) => [node.id, node.customer.id]),
      [newer, paid, older].map((order) => [order.id, order.userId]),
    );

    const toShip = await walk({ status: ["PAID"] });
    assert.ok(toShip.nodes.some((node) => node.id === paid.id));
    assert.ok(toShip.nodes.every((node) => node.status === "PAID"));
    assert.equal(toShip.totalCount, await orders.prisma.order.count({ where: { status: "PAID" } }));
    assert.deepEqual(await walk({ status: [] }), { nodes: [], totalCount: 0 });
  });

  it("refuses the list of every order to customers and anonymous callers, and a bad page", async () => {
    const list = "query($first: Int, $after: String) { orders(first: $first, after: $after) { totalCount } }";
    assert.deepEqual(errorCodes(await orders.execute(list, {}, aCustomer())), ["FORBIDDEN"]);
    assert.deepEqual(errorCodes(await orders.execute(list, {})), ["UNAUTHENTICATED"]);
    assert.deepEqual(errorCodes(await orders.execute(list, { first: 101 }, anAdmin())), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await orders.execute(list, { after: "not-a-cursor" }, anAdmin())), ["BAD_USER_INPUT"]);
  });

  it("resolves Order references in one batch and null for unknown ids", async () => {
    const userId = randomUUID();
    const order = await anOrderIn(orders.prisma, { userId });
    const data = await orders.query<{ _entities: unknown[] }>(
      "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id status total { amount } } } }",
      {
        r: [
          { __typename: "Order", id: order.id },
          { __typename: "Order", id: randomUUID() },
        ],
      },
      customer(userId),
    );
    assert.deepEqual(data._entities, [{ id: order.id, status: "PENDING_PAYMENT", total: { amount: 2_500 } }, null]);
  });

  it("shows an order and a customer's order list only to that customer and admins", async () => {
    const owner = randomUUID();
    const order = await anOrderIn(orders.prisma, { userId: owner });
    const byId = "query($id: ID!) { order(id: $id) { id total { amount } } }";
    const list = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { orders { totalCount } } } }";
    const entity = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id total { amount } } } }";
    const stranger = customer(randomUUID());
    const admin = { viewer: { userId: randomUUID(), role: "ADMIN" as const, scopes: ["admin"] } };

    assert.deepEqual(await orders.query(byId, { id: order.id }, customer(owner)), {
      order: { id: order.id, total: { amount: 2_500 } },
    });
    assert.deepEqual(await orders.query(byId, { id: order.id }, admin), { order: { id: order.id, total: { amount: 2_500 } } });
    assert.deepEqual(errorCodes(await orders.execute(byId, { id: order.id }, stranger)), ["FORBIDDEN"]);
    assert.deepEqual(errorCodes(await orders.execute(byId, { id: order.id })), ["UNAUTHENTICATED"]);
    assert.deepEqual(errorCodes(await orders.execute(list, { r: [{ __typename: "User", id: owner }] }, stranger)), ["FORBIDDEN"]);
    assert.deepEqual(errorCodes(await orders.execute(entity, { r: [{ __typename: "Order", id: order.id }] }, stranger)), ["FORBIDDEN"]);
    assert.deepEqual(await orders.query(list, { r: [{ __typename: "User", id: owner }] }, admin), {
      _entities: [{ orders: { totalCount: 1 } }],
    });
  });
});
