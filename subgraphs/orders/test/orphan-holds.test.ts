// Inventory's orphan-hold sweep asking a real orders subgraph, over HTTP with inventory's service token: a hold whose
// order orders never stored is released; a hold whose order exists is kept and confirmed, however long its
// order.placed waits in orders' outbox (Kafka down). Decisions that need no orders: subgraphs/inventory/test.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { ServiceTokens, Viewer } from "@storefront/auth";
import { type InventoryPrisma, inventorySubgraph } from "@storefront/inventory";
import type { PeriodicJob } from "@storefront/runtime";
import { silentLogger } from "@storefront/service";
import { createTestAuthority, startTestSubgraph, type TestAuthority, type TestSubgraph } from "@storefront/testkit";
import { GraphQLError } from "graphql";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { ordersSubgraph } from "../src/index.ts";
import { anOrderIn } from "./builders.ts";

const ORPHAN_REASON = "order_never_placed";
/** Longer ago than ORPHAN_HOLD_SECONDS' default (15 minutes). */
const SIXTEEN_MINUTES_AGO = () => new Date(Date.now() - 16 * 60_000);
const theCheckout: { viewer: Viewer } = { viewer: { userId: randomUUID(), role: "SERVICE", scopes: ["inventory:reserve"] } };

describe("inventory releases stock held for orders that orders never stored, and only those", () => {
  let authority: TestAuthority;
  let inventory: TestSubgraph<InventoryPrisma>;
  let orders: TestSubgraph<PrismaClient>;

  before(async () => {
    authority = await createTestAuthority();
    [inventory, orders] = await Promise.all([
      startTestSubgraph(inventorySubgraph),
      startTestSubgraph(ordersSubgraph, { verifyAccessToken: authority.verifyAccessToken }),
    ]);
  });
  after(async () => {
    await Promise.all([inventory, orders].map((subgraph) => subgraph?.close()));
  });

  /**
   * The sweep as the inventory subgraph builds it from its deps (ORPHAN_HOLD_SECONDS at its default), asking orders at
   * `ordersUrl` with inventory's service tokens (or `tokens`).
   */
  const sweep = ({ ordersUrl = orders.url, tokens }: { ordersUrl?: string; tokens?: ServiceTokens } = {}) => {
    const { jobs } = inventorySubgraph.create({
      prisma: inventory.prisma,
      logger: silentLogger(),
      production: false,
      subgraphUrls: { orders: ordersUrl },
      outbox: { notify: () => {} },
      serviceSecrets: {},
      serviceTokens: tokens ?? authority.serviceTokens("inventory"),
    });
    const job = jobs?.find((candidate) => candidate.name === "inventory.orphan-holds");
    assert.ok(job, "inventory runs the sweep when it knows orders and has its credentials");
    return job as Omit<PeriodicJob, "run"> & { run(): Promise<{ released: string[]; confirmed: string[] }> };
  };
  const aProduct = async (onHand: number) =>
    (await inventory.prisma.stockLevel.create({ data: { productId: randomUUID(), onHand } })).productId;
  /** Stock held the way the checkout holds it, before it stores the order, claimed longer ago than the window. */
  const hold = async (orderId: string, productId: string, quantity: number) => {
    const { reserveStock } = await inventory.query<{ reserveStock: { status: string } }>(
      "mutation($input: ReserveStockInput!) { reserveStock(input: $input) { status } }",
      { input: { orderId, items: [{ productId, quantity }] } },
      theCheckout,
    );
    assert.equal(reserveStock.status, "HELD");
    await inventory.prisma.reservation.updateMany({ where: { orderId }, data: { claimedAt: SIXTEEN_MINUTES_AGO() } });
  };
  /** An order orders stored (its order.placed waits in orders' outbox: nothing delivers it to inventory here). */
  const aStoredOrder = async (productId: string, quantity: number) =>
    (await anOrderIn(orders.prisma, { lines: [{ productId, quantity, unitPriceAmount: 1_000 }] })).id;
  const linesOf = (orderId: string) =>
    inventory.prisma.reservation.findMany({ where: { orderId }, select: { status: true, reason: true, confirmedAt: true } });
  const reservedOf = async (productId: string) => (await inventory.prisma.stockLevel.findUniqueOrThrow({ where: { productId } })).reserved;

  it("releases the hold of an order orders never stored and keeps, confirmed, the hold of one it stored whose order.placed never arrived", async () => {
    const productId = await aProduct(10);
    const stored = await aStoredOrder(productId, 2);
    const neverStored = randomUUID();
    await hold(stored, productId, 2);
    await hold(neverStored, productId, 3);
    assert.equal(await reservedOf(productId), 5);
    assert.equal(await orders.prisma.outboxEvent.count({ where: { key: stored, publishedAt: null } }), 1, "order.placed still waits");

    const report = await sweep().run();

    assert.ok(report.released.includes(neverStored));
    assert.ok(!report.released.includes(stored));
    assert.ok(report.confirmed.includes(stored));
    assert.equal(await reservedOf(productId), 2, "the stored order keeps its units; the other's are available again");
    assert.deepEqual(await linesOf(neverStored), [{ status: "RELEASED", reason: ORPHAN_REASON, confirmedAt: null }]);
    const [kept] = await linesOf(stored);
    assert.equal(kept?.status, "HELD");
    assert.ok(kept?.confirmedAt instanceof Date, "orders' answer confirms the hold");
    const released = await inventory.prisma.stockMovement.findFirstOrThrow({ where: { orderId: neverStored, kind: "RELEASED" } });
    assert.deepEqual([released.quantity, released.reason, released.actorId, released.reservedAfter], [3, ORPHAN_REASON, null, 2]);

    // confirmed now: a later sweep does not ask orders about it again (orders unreachable here would make it throw)
    const again = await sweep({ ordersUrl: "http://127.0.0.1:9/graphql" }).run();
    assert.deepEqual(again, { released: [], confirmed: [] });
  });

  it("releases and confirms nothing when orders refuses the question: a token without orders:read", async () => {
    const productId = await aProduct(10);
    const stored = await aStoredOrder(productId, 1);
    const neverStored = randomUUID();
    await hold(stored, productId, 1);
    await hold(neverStored, productId, 1);

    await assert.rejects(sweep({ tokens: authority.serviceTokens("inventory", []) }).run(), (error: unknown) => {
      assert.ok(error instanceof GraphQLError);
      assert.equal(error.extensions.code, "SERVICE_UNAVAILABLE");
      assert.equal(error.extensions.service, "orders");
      return true;
    });

    assert.equal(await reservedOf(productId), 2);
    for (const orderId of [stored, neverStored])
      assert.deepEqual(await linesOf(orderId), [{ status: "HELD", reason: null, confirmedAt: null }]);
    // with the right token, the same holds are decided
    const report = await sweep().run();
    assert.ok(report.released.includes(neverStored) && report.confirmed.includes(stored));
  });

  it("lets a service with orders:read see any order, and still not cancel one", async () => {
    const stored = await aStoredOrder(randomUUID(), 1);
    const service = { viewer: { userId: randomUUID(), role: "SERVICE" as const, scopes: ["orders:read"] } };

    const seen = await orders.execute<{ _entities: ({ id: string } | null)[] }>(
      "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id } } }",
      { r: [{ __typename: "Order", id: stored }] },
      service,
    );
    const cancelled = await orders.execute(
      'mutation($id: ID!) { cancelOrder(id: $id, reason: "its stock was released") { id } }',
      { id: stored },
      service,
    );

    assert.deepEqual(seen.data?._entities, [{ id: stored }]);
    assert.equal(cancelled.errors?.[0]?.extensions?.code, "FORBIDDEN");
    assert.equal((await orders.prisma.order.findUniqueOrThrow({ where: { id: stored } })).status, "PENDING_PAYMENT");
  });
});
