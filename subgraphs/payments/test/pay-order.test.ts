import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { silentLogger } from "@storefront/service";
import { createEventDelivery, errorCodes } from "@storefront/testkit";
import { createPaymentsHandlers } from "../src/events/handlers.ts";
import { anAmountDue, anOrderCancelled } from "./builders.ts";
import {
  aCustomer,
  anAdmin,
  cards,
  outboxOf,
  PAY,
  type PaymentsUnderTest,
  type PayOrder,
  payInput,
  startPayments,
} from "./payment-flow.ts";

describe("payOrder", () => {
  let payments: PaymentsUnderTest;
  before(async () => {
    payments = await startPayments();
  });
  after(() => payments.sub.close());

  /** An order of `customer` that payments has recorded (order.placed), owing `amount` EUR cents. */
  const anOrderOf = (customer: { userId: string }, amount = 4_999, currency = "EUR") =>
    anAmountDue(payments.sub.prisma, { userId: customer.userId, amount, currency });

  it("charges what the order owes with an approved card: authorized, then captured, both events in the outbox", async () => {
    const customer = aCustomer();
    const due = await anOrderOf(customer, 12_345);

    const { payOrder } = await payments.sub.query<PayOrder>(PAY, { input: payInput(due.orderId) }, { viewer: customer });

    assert.equal(payOrder.failure, null);
    assert.equal(payOrder.payment.status, "CAPTURED");
    assert.deepEqual(payOrder.payment.amount, { amount: 12_345, currency: "EUR" });
    assert.deepEqual(payOrder.payment.card, { brand: "visa", last4: "4242" });
    const money = { amount: 12_345, currency: "EUR" };
    assert.deepEqual(
      (await outboxOf(payments.sub.prisma, due.orderId)).map((e) => [e.type, e.data.paymentId, e.data.amount]),
      [
        ["payment.authorized.v1", payOrder.payment.id, money],
        ["payment.captured.v1", payOrder.payment.id, money],
      ],
    );
    const stored = await payments.sub.prisma.payment.findUniqueOrThrow({ where: { id: payOrder.payment.id } });
    assert.ok(!JSON.stringify(stored).includes(cards.approve), "the full card number is never stored");
    assert.equal(payments.sub.outboxNotifications.count > 0, true);
  });

  it("refuses an amount from the client: the input has no such field", async () => {
    const customer = aCustomer();
    const due = await anOrderOf(customer);
    const result = await payments.sub.execute(PAY, { input: { ...payInput(due.orderId), amount: 1 } }, { viewer: customer });
    assert.ok(result.errors?.length);
    assert.equal(await payments.sub.prisma.payment.count({ where: { orderId: due.orderId } }), 0);
  });

  for (const [card, reason, code] of [
    [cards.decline, "card_declined", "PAYMENT_DECLINED"],
    [cards.insufficientFunds, "insufficient_funds", "PAYMENT_DECLINED"],
    [cards.processorTimeout, "processing_error", "PROCESSING_ERROR"],
  ] as const) {
    it(`records a FAILED attempt (${reason}) with a ${code} failure and payment.failed, and lets a new key pay again`, async () => {
      const customer = aCustomer();
      const due = await anOrderOf(customer);

      const failed = (await payments.sub.query<PayOrder>(PAY, { input: payInput(due.orderId, { card }) }, { viewer: customer })).payOrder;
      assert.equal(failed.payment.status, "FAILED");
      assert.equal(failed.failure?.code, code);
      assert.equal(failed.failure?.reason, reason);
      const events = await outboxOf(payments.sub.prisma, due.orderId);
      assert.deepEqual(
        events.map((e) => [e.type, e.data.paymentId, e.data.reasonCode]),
        [["payment.failed.v1", failed.payment.id, reason]],
      );

      const retried = (await payments.sub.query<PayOrder>(PAY, { input: payInput(due.orderId) }, { viewer: customer })).payOrder;
      assert.equal(retried.payment.status, "CAPTURED");
      assert.notEqual(retried.payment.id, failed.payment.id);
    });
  }

  it("returns the same attempt for the same idempotency key and charges once", async () => {
    const customer = aCustomer();
    const due = await anOrderOf(customer);
    const input = payInput(due.orderId);
    const before = payments.simulator.calls.authorize;

    const first = (await payments.sub.query<PayOrder>(PAY, { input }, { viewer: customer })).payOrder;
    const again = (await payments.sub.query<PayOrder>(PAY, { input }, { viewer: customer })).payOrder;

    assert.deepEqual(again, first);
    assert.equal(payments.simulator.calls.authorize - before, 1);
  });

  it("charges exactly once when five retries with one key arrive at the same time", async () => {
    const customer = aCustomer();
    const due = await anOrderOf(customer);
    const input = payInput(due.orderId);
    const before = { authorize: payments.simulator.calls.authorize, capture: payments.simulator.calls.capture };

    const results = await Promise.all(
      Array.from({ length: 5 }, () => payments.sub.execute<PayOrder>(PAY, { input }, { viewer: customer })),
    );

    assert.deepEqual(
      results.flatMap((r) => r.errors ?? []),
      [],
    );
    const ids = new Set(results.map((r) => r.data?.payOrder.payment.id));
    assert.equal(ids.size, 1);
    assert.equal(payments.simulator.calls.authorize - before.authorize, 1);
    assert.equal(payments.simulator.calls.capture - before.capture, 1);
    const rows = await payments.sub.prisma.payment.findMany({ where: { orderId: due.orderId } });
    assert.deepEqual(
      rows.map((p) => p.status),
      ["CAPTURED"],
    );
  });

  it("keeps one customer's idempotency keys apart from another's", async () => {
    const [alice, bob] = [aCustomer(), aCustomer()];
    const [aliceOrder, bobOrder] = [await anOrderOf(alice), await anOrderOf(bob)];
    const idempotencyKey = randomUUID();
    const paidByAlice = (
      await payments.sub.query<PayOrder>(PAY, { input: payInput(aliceOrder.orderId, { idempotencyKey }) }, { viewer: alice })
    ).payOrder;
    const paidByBob = (await payments.sub.query<PayOrder>(PAY, { input: payInput(bobOrder.orderId, { idempotencyKey }) }, { viewer: bob }))
      .payOrder;
    assert.notEqual(paidByAlice.payment.id, paidByBob.payment.id);
    assert.equal(paidByBob.payment.status, "CAPTURED");
  });

  it("refuses a key already used for another order of the same customer", async () => {
    const customer = aCustomer();
    const [first, second] = [await anOrderOf(customer), await anOrderOf(customer)];
    const idempotencyKey = randomUUID();
    await payments.sub.query<PayOrder>(PAY, { input: payInput(first.orderId, { idempotencyKey }) }, { viewer: customer });
    const reused = await payments.sub.execute(PAY, { input: payInput(second.orderId, { idempotencyKey }) }, { viewer: customer });
    assert.deepEqual(errorCodes(reused), ["CONFLICT"]);
  });

  it("lets only the order's customer pay: another customer, an admin and anonymous callers are refused and nothing is charged", async () => {
    const customer = aCustomer();
    const due = await anOrderOf(customer);
    const calls = payments.simulator.calls.authorize;
    assert.deepEqual(errorCodes(await payments.sub.execute(PAY, { input: payInput(due.orderId) }, { viewer: aCustomer() })), ["FORBIDDEN"]);
    assert.deepEqual(errorCodes(await payments.sub.execute(PAY, { input: payInput(due.orderId) }, { viewer: anAdmin() })), ["FORBIDDEN"]);
    assert.deepEqual(errorCodes(await payments.sub.execute(PAY, { input: payInput(due.orderId) })), ["UNAUTHENTICATED"]);
    assert.equal(await payments.sub.prisma.payment.count({ where: { orderId: due.orderId } }), 0);
    assert.equal(payments.simulator.calls.authorize, calls);
  });

  it("answers NOT_FOUND (retryable) for an order payments has not recorded yet", async () => {
    const result = await payments.sub.execute(PAY, { input: payInput(randomUUID()) }, { viewer: aCustomer() });
    assert.deepEqual(errorCodes(result), ["NOT_FOUND"]);
    assert.equal(result.errors?.[0]?.extensions?.retryable, true);
  });

  it("refuses to pay an order twice, in another currency, or once it is cancelled", async () => {
    const customer = aCustomer();
    const paid = await anOrderOf(customer);
    await payments.sub.query<PayOrder>(PAY, { input: payInput(paid.orderId) }, { viewer: customer });
    assert.deepEqual(errorCodes(await payments.sub.execute(PAY, { input: payInput(paid.orderId) }, { viewer: customer })), ["CONFLICT"]);

    const inEuro = await anOrderOf(customer);
    assert.deepEqual(
      errorCodes(await payments.sub.execute(PAY, { input: payInput(inEuro.orderId, { currency: "USD" }) }, { viewer: customer })),
      ["CONFLICT"],
    );

    const cancelled = await anOrderOf(customer);
    const delivery = createEventDelivery({
      groupId: "payments",
      db: payments.sub.prisma,
      handlers: createPaymentsHandlers({ logger: silentLogger(), provider: payments.simulator }),
    });
    await delivery.deliver(anOrderCancelled(cancelled.orderId, false));
    await delivery.close();
    assert.deepEqual(errorCodes(await payments.sub.execute(PAY, { input: payInput(cancelled.orderId) }, { viewer: customer })), [
      "CONFLICT",
    ]);
    assert.equal(await payments.sub.prisma.payment.count({ where: { orderId: { in: [inEuro.orderId, cancelled.orderId] } } }), 0);
  });

  it("rejects a malformed card with BAD_USER_INPUT and stores nothing", async () => {
    const customer = aCustomer();
    const due = await anOrderOf(customer);
    for (const input of [
      payInput(due.orderId, { card: "4242" }),
      payInput(due.orderId, { card: "4242424242424241" }),
      payInput(due.orderId, { cvc: "12" }),
      payInput(due.orderId, { expiryYear: 2001 }),
      { ...payInput(due.orderId), idempotencyKey: "" },
      payInput("not-a-uuid"),
    ]) {
      assert.deepEqual(
        errorCodes(await payments.sub.execute(PAY, { input }, { viewer: customer })),
        ["BAD_USER_INPUT"],
        JSON.stringify(input),
      );
    }
    assert.equal(await payments.sub.prisma.payment.count({ where: { orderId: due.orderId } }), 0);
  });
});
