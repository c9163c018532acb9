// A payment interrupted at the provider, end to end: six subgraph processes on PostgreSQL and Kafka, the router in
// front; payments is killed with SIGKILL while a slow-card payment waits at the provider, and started again on the same
// database. What must hold: the attempt settles within the reconciliation bound (here shortened by settings), the order
// can be paid again, and it is charged once.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { demoUsers } from "@storefront/demo-data";
import { type SupergraphProcesses, startSupergraphProcesses } from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
import pg from "pg";
import { aCustomerWithCart, aStockedProduct, cards, eventually, type ShopSession, signIn } from "./support/shop.ts";

const needsRealInfra =
  (process.env.KAFKA_BROKERS ? false : "needs a Kafka broker (KAFKA_BROKERS)") ||
  (process.env.TEST_POSTGRES_URL
    ? false
    : "needs PostgreSQL (TEST_POSTGRES_URL): payments is killed mid-payment and restarted on its database");

/** The simulator's processor-timeout card: the attempt waits this long at the provider, long enough to kill payments. */
const SLOW_CARD = "4000000000000119";
const SIMULATOR_TIMEOUT_MS = 4_000;
/** Shortened bound and period of the reconciler, so that the test is quick. */
const RECONCILE = { afterSeconds: 2, everySeconds: 1 };
/** How long the test waits for the attempt to settle after the restart: the bound, the period, the provider's delay, and slack. */
const SETTLE_WITHIN_MS = (RECONCILE.afterSeconds + RECONCILE.everySeconds) * 1_000 + SIMULATOR_TIMEOUT_MS + 20_000;

const PAY = "mutation($input: PayOrderInput!) { payOrder(input: $input) { payment { id status } failure { code reason } } }";
type Paid = { payOrder: { payment: { id: string; status: string }; failure: { code: string; reason: string } | null } };

describe("a payment interrupted at the provider by kill -9 of payments", { skip: needsRealInfra, timeout: 300_000 }, () => {
  let stack: SupergraphProcesses;
  let admin: ShopSession;
  let paymentsDb: pg.Client;

  before(async () => {
    stack = await startSupergraphProcesses({
      subgraphs: ["users", "catalog", "inventory", "cart", "orders", "payments"],
      env: {
        KAFKA_NAMESPACE: `recovery-${randomUUID().slice(0, 8)}`,
        PAYMENT_RECONCILE_AFTER_SECONDS: String(RECONCILE.afterSeconds),
        PAYMENT_RECONCILE_EVERY_SECONDS: String(RECONCILE.everySeconds),
        PAYMENT_SIMULATOR_TIMEOUT_MS: String(SIMULATOR_TIMEOUT_MS),
      },
    });
    const demoAdmin = demoUsers.find((user) => user.role === "ADMIN");
    assert.ok(demoAdmin);
    admin = await signIn(stack.routerUrl, demoAdmin.email, demoPasswords[demoAdmin.email] ?? "");
    paymentsDb = new pg.Client({ connectionString: stack.databaseUrls.payments });
    await paymentsDb.connect();
  });
  after(async () => {
    await paymentsDb?.end();
    await stack?.stop();
  });

  /** Runs a query on payments' own database (the test reads what the provider's simulator and the outbox hold). */
  const rowsOf = async <Row extends pg.QueryResultRow>(sql: string, values: unknown[]) => (await paymentsDb.query<Row>(sql, values)).rows;

  it("settles the attempt after the restart: the order can be paid again, and is charged once", async () => {
    const product = await aStockedProduct(admin, 5);
    const customer = await aCustomerWithCart(stack.routerUrl, product.id);
    const order = (await customer.checkout()).body.data?.checkout;
    assert.ok(order);
    await eventually(
      () => customer.order(order.id),
      (seen) => seen.paymentStatus === "AWAITING_PAYMENT",
      "payments learns of the order",
    );
    const slowPayment = {
      orderId: order.id,
      idempotencyKey: randomUUID(),
      method: { cardNumber: SLOW_CARD, expiryMonth: 12, expiryYear: 2030, cvc: "123" },
    };

    const interrupted = customer.call<Paid>(PAY, { input: slowPayment });
    const [atProvider] = await eventually(
      () =>
        rowsOf<{ id: string }>("SELECT p.id FROM payment p JOIN simulator_payment s ON s.payment_id = p.id WHERE p.order_id = $1", [
          order.id,
        ]),
      (rows) => rows.length === 1,
      "the attempt reaches the provider",
      30_000,
    );
    assert.ok(atProvider);
    const payments = stack.child("payments");
    payments.kill("SIGKILL");
    await once(payments, "exit");
    const lost = await interrupted;
    assert.notEqual(lost.body.data?.payOrder?.payment.status, "FAILED", "payments died before the provider answered");
    assert.ok(lost.body.errors?.length, "the customer's call ends with an error, not an answer");

    await stack.restart("payments");
    const settled = await eventually(
      () => customer.order(order.id),
      (seen) => seen.status === "PAYMENT_FAILED",
      "the interrupted attempt settles as the provider has it (the processor timed out) and the order can be paid again",
      SETTLE_WITHIN_MS,
    );
    assert.equal(settled.paymentStatus, "PAYMENT_FAILED");
    assert.deepEqual(
      settled.payments?.map((payment) => payment.status),
      ["FAILED"],
    );
    const sameKey = await customer.must<Paid>(PAY, { input: slowPayment });
    assert.deepEqual(
      [sameKey.payOrder.payment.id, sameKey.payOrder.payment.status, sameKey.payOrder.failure],
      [atProvider.id, "FAILED", { code: "PROCESSING_ERROR", reason: "processing_error" }],
    );

    const paid = await customer.pay(order.id, cards.approves);
    assert.equal(paid.payment.status, "CAPTURED");
    const done = await customer.orderReaches(order.id, "PAID");
    assert.deepEqual(
      done.payments?.map((payment) => payment.status),
      ["CAPTURED", "FAILED"],
    );
    const [captures] = await rowsOf<{ charged: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM simulator_payment s JOIN payment p ON p.id = s.payment_id
                WHERE p.order_id = $1 AND s.status = 'CAPTURED') AS charged,
              (SELECT count(*)::int FROM outbox_event WHERE key = $1::text AND type = 'payment.captured.v1') AS events`,
      [order.id],
    );
    assert.deepEqual(captures, { charged: 1, events: 1 }, "charged once at the provider, one payment.captured");
  });

  it("shows a partial refund on the paid order; a refund of the rest makes it REFUNDED, it cannot ship, and its unit is back in stock", async () => {
    const product = await aStockedProduct(admin, 5, 3_000);
    const customer = await aCustomerWithCart(stack.routerUrl, product.id);
    const order = (await customer.checkout()).body.data?.checkout;
    assert.ok(order);
    const { payment } = await customer.pay(order.id, cards.approves);
    await customer.orderReaches(order.id, "PAID");
    type Refunded = { order: { status: string; refundedAmount: { amount: number } | null } };
    const seen = () => admin.must<Refunded>("query($id: ID!) { order(id: $id) { status refundedAmount { amount } } }", { id: order.id });
    const refund = (amount?: number) =>
      admin.must("mutation($input: RefundPaymentInput!) { refundPayment(input: $input) { id } }", {
        input: { paymentId: payment.id, reason: "a scratch on the box", idempotencyKey: randomUUID(), ...(amount ? { amount } : {}) },
      });

    await refund(1_000);
    const partly = await seen();
    await refund();
    const fully = await eventually(seen, ({ order }) => order.status === "REFUNDED", "orders hears that all the money was returned");

    assert.deepEqual(partly.order, { status: "PAID", refundedAmount: { amount: 1_000 } });
    assert.deepEqual(fully.order.refundedAmount, { amount: 3_000 });
    const ship = await admin.call('mutation($id: ID!) { markShipped(id: $id, carrier: "DHL") { status } }', { id: order.id });
    assert.deepEqual(
      ship.body.errors?.map((error) => error.extensions?.code),
      ["CONFLICT"],
    );
    assert.equal((await seen()).order.status, "REFUNDED");
    type Stock = { product: { inventory: { onHand: number; reserved: number } | null } | null };
    const stock = () => admin.must<Stock>("query($id: ID!) { product(id: $id) { inventory { onHand reserved } } }", { id: product.id });
    const restocked = await eventually(
      stock,
      ({ product }) => product?.inventory?.onHand === 5,
      "inventory hears order.refunded and puts the unit that never shipped back on hand",
    );
    assert.deepEqual(restocked.product?.inventory, { onHand: 5, reserved: 0 });
  });
});
