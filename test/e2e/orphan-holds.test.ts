// Crashes in the middle of the order saga, on real processes: orders stopped (SIGTERM) or killed (SIGKILL) while
// checkouts hold stock, then started again on the same database. After ORPHAN_HOLD_SECONDS no stock is held for an
// order that does not exist, no order that exists lost its stock, and not a unit appeared or vanished. With Kafka,
// order.placed confirms the holds of stored orders; without it (embedded run) orders' own answer to inventory does,
// which is the Kafka-down-for-long case. Also here: a frozen catalog behind cart is named by the checkout's error.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { demoUsers } from "@storefront/demo-data";
import { type SupergraphProcesses, startSupergraphProcesses } from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
import pg from "pg";
import { aCustomerWithCart, aStockedProduct, customersWithCart, eventually, type ShopSession, signIn, stockOf } from "./support/shop.ts";

/** Short bounds for the test; production keeps the defaults (15 minutes, every minute). */
const ORPHAN_HOLD_SECONDS = 3;
const CHECKOUTS = 10;
const UNITS_EACH = 2;
const ON_HAND = 40;

interface Movement {
  readonly kind: string;
  readonly quantity: number;
  readonly orderId: string | null;
  readonly reason: string | null;
}

describe("orders stopped or killed during checkouts: no stock stays held for an order that never existed", { timeout: 600_000 }, () => {
  let stack: SupergraphProcesses;
  let admin: ShopSession;

  before(async () => {
    stack = await startSupergraphProcesses({
      subgraphs: ["users", "catalog", "inventory", "cart", "orders", "payments"],
      env: {
        KAFKA_NAMESPACE: `orphans-${randomUUID().slice(0, 8)}`,
        ORPHAN_HOLD_SECONDS: String(ORPHAN_HOLD_SECONDS),
        ORPHAN_HOLD_SWEEP_SECONDS: "1",
      },
    });
    const demoAdmin = demoUsers.find((user) => user.role === "ADMIN");
    assert.ok(demoAdmin);
    admin = await signIn(stack.routerUrl, demoAdmin.email, demoPasswords[demoAdmin.email] ?? "");
  });
  after(() => stack?.stop());

  /** The product's ledger with reasons, oldest first. */
  async function ledgerOf(productId: string): Promise<Movement[]> {
    const { product } = await admin.must<{ product: { stockMovements: { edges: { node: Movement }[]; totalCount: number } } }>(
      "query($id: ID) { product(id: $id) { stockMovements(first: 100) { totalCount edges { node { kind quantity orderId reason } } } } }",
      { id: productId },
    );
    assert.ok(product.stockMovements.totalCount <= 100);
    return product.stockMovements.edges.map((edge) => edge.node).reverse();
  }
  /** Whether orders has the order (asked as an admin, who may see any). */
  async function orderExists(orderId: string): Promise<boolean> {
    const { order } = await admin.must<{ order: { id: string } | null }>("query($id: ID!) { order(id: $id) { id } }", { id: orderId });
    return order !== null;
  }

  /**
   * Stores of new orders wait (PostgreSQL only: a SHARE lock on orders' order table lets reads through and holds
   * inserts) so that checkouts are caught between their reservation and their order; null when the run has no
   * PostgreSQL (then the signal catches what it catches).
   */
  async function holdOrderStores(): Promise<{ release(): Promise<void> } | null> {
    const url = stack.databaseUrls.orders;
    if (!url) return null;
    const client = new pg.Client({ connectionString: url });
    // the database is dropped when the stack stops, whatever this session was doing
    client.on("error", () => {});
    await client.connect();
    await client.query("BEGIN");
    await client.query("LOCK TABLE customer_order IN SHARE MODE");
    return {
      async release() {
        await client.query("ROLLBACK").catch(() => {});
        await client.end();
      },
    };
  }

  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    it(`${signal} of orders during ${CHECKOUTS} checkouts: after ORPHAN_HOLD_SECONDS every held unit belongs to an existing order, every released one to an order never placed, and stock is conserved`, async () => {
      const product = await aStockedProduct(admin, ON_HAND);
      // signed up one at a time; the checkouts below are what runs concurrently
      const customers = await customersWithCart(stack.routerUrl, product.id, UNITS_EACH, CHECKOUTS);
      const stores = await holdOrderStores();
      const orders = stack.child("orders");
      const exited = new Promise<void>((resolve) => orders.once("exit", () => resolve()));

      const answers = Promise.all(customers.map((customer) => customer.checkout(randomUUID()).catch((error: unknown) => error)));
      try {
        await eventually(
          () => stockOf(admin, product.id),
          // held stores keep their database connections: wait for some of the checkouts, not all (orders' pool is 10)
          (stock) => stock.reserved >= (stores ? 4 : 1) * UNITS_EACH,
          "checkouts hold their stock",
          30_000,
        );
        orders.kill(signal);
        // a draining orders (SIGTERM) finishes what it started once the stores may go on; a killed one never does
        if (signal === "SIGKILL") await exited;
      } finally {
        await stores?.release();
      }
      await exited;
      await answers;
      await stack.restart("orders");
      // the router's circuit for orders opened while it was down: wait for the router to call it again
      await eventually(
        () =>
          orderExists(randomUUID()).then(
            () => true,
            () => false,
          ),
        (answered) => answered,
        "the router calls orders again",
        60_000,
      );

      const settled = await eventually(
        async () => {
          const [stock, ledger] = await Promise.all([stockOf(admin, product.id), ledgerOf(product.id)]);
          const heldFor = new Map<string, number>();
          for (const movement of ledger) {
            if (!movement.orderId) continue;
            const change = movement.kind === "RESERVED" ? movement.quantity : movement.kind === "RELEASED" ? -movement.quantity : 0;
            heldFor.set(movement.orderId, (heldFor.get(movement.orderId) ?? 0) + change);
          }
          const held = [...heldFor].filter(([, units]) => units > 0).map(([orderId]) => orderId);
          const existing = await Promise.all(held.map(orderExists));
          return { stock, ledger, held, orphans: held.filter((_, i) => !existing[i]) };
        },
        ({ orphans }) => orphans.length === 0,
        "no stock is held for an order that does not exist",
        60_000,
      );

      // conserved: nothing was paid, so on hand is untouched and reserved is exactly what the existing orders hold
      assert.equal(settled.stock.onHand, ON_HAND);
      assert.equal(settled.stock.reserved, settled.held.length * UNITS_EACH);
      assert.equal(settled.stock.available, ON_HAND - settled.stock.reserved);
      const released = settled.ledger.filter((movement) => movement.kind === "RELEASED");
      for (const movement of released) {
        assert.equal(movement.reason, "order_never_placed");
        assert.equal(await orderExists(movement.orderId ?? ""), false, `order ${movement.orderId} was released although it exists`);
      }
      if (signal === "SIGKILL" && stores) assert.ok(released.length > 0, "the killed checkouts' holds were released");

      // a held unit still belongs to its order well after the bound: the sweep never takes an existing order's stock
      await new Promise((resolve) => setTimeout(resolve, (ORPHAN_HOLD_SECONDS + 2) * 1_000));
      assert.equal((await stockOf(admin, product.id)).reserved, settled.held.length * UNITS_EACH);
    });
  }

  it("names catalog in the checkout's error when the catalog behind cart is frozen (SIGSTOP)", async () => {
    const product = await aStockedProduct(admin, 5);
    const customer = await aCustomerWithCart(stack.routerUrl, product.id);
    const catalog = stack.child("catalog");

    catalog.kill("SIGSTOP");
    let answer: Awaited<ReturnType<ShopSession["checkout"]>>;
    try {
      answer = await customer.checkout();
    } finally {
      catalog.kill("SIGCONT");
    }

    const codes = (answer.body.errors ?? []).map((error) => [error.extensions?.code, error.extensions?.service]);
    assert.deepEqual(codes, [["SERVICE_UNAVAILABLE", "catalog"]], JSON.stringify(answer.body.errors));
    assert.equal((await stockOf(admin, product.id)).reserved, 0, "nothing was reserved");
  });
});
