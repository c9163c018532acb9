import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { silentLogger } from "@storefront/service";
import { createEventDelivery, errorCodes } from "@storefront/testkit";
import { createPaymentFlow } from "../src/data/payment-flow.ts";
import { createPaymentsStore } from "../src/data/payments-store.ts";
import { createSimulatorLedger } from "../src/data/simulator-ledger.ts";
import type { LookupResult } from "../src/domain/provider.ts";
import { CANCELLED_BEFORE_CAPTURE, NEVER_RECEIVED, settlementOf } from "../src/domain/reconciliation.ts";
import { paymentsSettingsFromEnv } from "../src/env.ts";
import { createPaymentsHandlers } from "../src/events/handlers.ts";
import { createPaymentReconcilerJob } from "../src/jobs/payment-reconciler.ts";
import { createSimulatedPaymentProvider } from "../src/providers/simulator.ts";
import { anAmountDue, anOrderCancelled, aPayment } from "./builders.ts";
import { aCustomer, cards, outboxOf, PAY, type PaymentsUnderTest, type PayOrder, payInput, startPayments } from "./payment-flow.ts";

const RECONCILE_AFTER_MS = 30_000;
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const card = (number: string) => ({ number, expiryMonth: 12, expiryYear: 2099, cvc: "123" });

describe("payment recovery: an attempt that never heard the provider's answer is settled from the provider's records", () => {
  let payments: PaymentsUnderTest;
  /** While set, authorize reaches the provider and then waits for it: the provider's answer arrives late. */
  let lateAnswer: Promise<void> | null = null;
  /** Cards whose authorize reaches the provider and whose answer never comes back: payments "died" mid-payment. */
  const answerLost = new Set<string>();
  /** While set, capture charges at the provider and then the connection drops: payOrder cannot know it was charged. */
  let captureAnswerLost = false;

  before(async () => {
    payments = await startPayments((simulator) => ({
      ...simulator,
      async authorize(request) {
        const answer = await simulator.authorize(request);
        if (answerLost.has(request.card.number)) return new Promise<never>(() => {});
        if (lateAnswer) await lateAnswer;
        return answer;
      },
      async capture(request) {
        const answer = await simulator.capture(request);
        if (captureAnswerLost) throw new Error("socket hang up");
        return answer;
      },
    }));
  });
  after(() => payments.sub.close());

  const prisma = () => payments.sub.prisma;
  /** A reconciler as every payments replica runs it; `now` moves its clock (to see fresh attempts as stale). */
  const reconciler = (now: () => Date = () => new Date()) =>
    createPaymentReconcilerJob({
      store: createPaymentsStore(prisma()),
      payments: createPaymentFlow(prisma(), payments.simulator, { notify: () => {} }),
      provider: payments.simulator,
      logger: silentLogger(),
      afterMs: RECONCILE_AFTER_MS,
      everyMs: 15_000,
      now,
    });
  const inAnHour = () => new Date(Date.now() + 60 * 60_000);

  /** An order of a new customer and an attempt to pay it that was recorded `changedMinutesAgo` and never settled. */
  async function aStaleAttempt(status: "PENDING" | "AUTHORIZED" = "PENDING", changedMinutesAgo = 5) {
    const customer = aCustomer();
    const due = await anAmountDue(prisma(), { userId: customer.userId, amount: 4_000 });
    const payment = await aPayment(prisma(), due.orderId, { amount: 4_000, status, updatedAt: minutesAgo(changedMinutesAgo) });
    return { customer, orderId: due.orderId, payment };
  }
  /** The provider's side of an attempt payOrder sent before payments crashed. */
  const authorizeAtProvider = (paymentId: string, number: string = cards.approve) =>
    payments.simulator.authorize({ paymentId, amount: 4_000, currency: "EUR", card: card(number) });
  const paymentOf = (id: string) => prisma().payment.findUniqueOrThrow({ where: { id } });
  const ledgerOf = (paymentId: string) => prisma().simulatorPayment.findUniqueOrThrow({ where: { paymentId } });
  const typesOf = async (orderId: string) => (await outboxOf(prisma(), orderId)).map((event) => event.type);

  it("fails an attempt the slow card's processor gave up on while payments was down, and the order can be paid again", async () => {
    const { customer, orderId, payment } = await aStaleAttempt();
    // payOrder reached the provider with the processor-timeout card, then payments was killed before the answer came
    await authorizeAtProvider(payment.id, cards.processorTimeout);

    await reconciler().run();

    const failed = await paymentOf(payment.id);
    assert.deepEqual([failed.status, failed.failureReason], ["FAILED", "processing_error"]);
    const events = await outboxOf(prisma(), orderId);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.paymentId, e.data.reasonCode]),
      [["payment.failed.v1", payment.id, "processing_error"]],
    );
    const again = await payments.sub.query<PayOrder>(PAY, { input: payInput(orderId) }, { viewer: customer });
    assert.equal(again.payOrder.payment.status, "CAPTURED");
  });

  it("fails an attempt the provider never received: nothing was charged", async () => {
    const { orderId, payment } = await aStaleAttempt();

    await reconciler().run();

    const failed = await paymentOf(payment.id);
    assert.deepEqual([failed.status, failed.failureReason, failed.failureMessage], ["FAILED", "processing_error", NEVER_RECEIVED.message]);
    assert.deepEqual(await typesOf(orderId), ["payment.failed.v1"]);
    const trail = await prisma().paymentAuditEntry.findMany({ where: { paymentId: payment.id } });
    assert.deepEqual(
      trail.map((entry) => [entry.action, entry.actorId]),
      [["FAILED", null]],
      "the shop settled it, not the customer",
    );
  });

  it("records a capture the provider made but payments never heard of: CAPTURED with payment.captured, charged once", async () => {
    const { orderId, payment } = await aStaleAttempt();
    const authorized = await authorizeAtProvider(payment.id);
    assert.equal(authorized.outcome, "authorized");
    if (authorized.outcome !== "authorized") return;
    await payments.simulator.capture({ reference: authorized.reference, amount: 4_000, currency: "EUR" });
    const captures = payments.simulator.calls.capture;

    await reconciler().run();

    const captured = await paymentOf(payment.id);
    assert.equal(captured.status, "CAPTURED");
    assert.equal(captured.providerReference, (await ledgerOf(payment.id)).captureReference);
    assert.deepEqual(await typesOf(orderId), ["payment.authorized.v1", "payment.captured.v1"]);
    assert.equal(payments.simulator.calls.capture, captures, "what the provider charged is recorded, not charged again");
  });

  it("captures an authorization a crash left between authorize and capture, once", async () => {
    const { orderId, payment } = await aStaleAttempt();
    await authorizeAtProvider(payment.id);
    const authorization = (await ledgerOf(payment.id)).authorizationReference;
    assert.ok(authorization);
    await prisma().payment.update({
      where: { id: payment.id },
      data: { status: "AUTHORIZED", providerReference: authorization, updatedAt: minutesAgo(5) },
    });

    await reconciler().run();
    await reconciler().run();

    assert.equal((await paymentOf(payment.id)).status, "CAPTURED");
    assert.equal((await ledgerOf(payment.id)).status, "CAPTURED");
    assert.deepEqual(await typesOf(orderId), ["payment.captured.v1"]);
  });

  it("does not charge an authorization of an order cancelled meanwhile: the attempt fails and nothing is captured", async () => {
    const { orderId, payment } = await aStaleAttempt();
    await authorizeAtProvider(payment.id);
    await cancel(orderId);

    await reconciler().run();

    const failed = await paymentOf(payment.id);
    assert.deepEqual([failed.status, failed.failureMessage], ["FAILED", CANCELLED_BEFORE_CAPTURE.message]);
    assert.equal((await ledgerOf(payment.id)).status, "AUTHORIZED");
    assert.deepEqual(await typesOf(orderId), ["payment.failed.v1"]);
  });

  it("records a capture of an order cancelled meanwhile and refunds it at once", async () => {
    const { orderId, payment } = await aStaleAttempt();
    const authorized = await authorizeAtProvider(payment.id);
    if (authorized.outcome !== "authorized") assert.fail("the approving card is authorized");
    await payments.simulator.capture({ reference: authorized.reference, amount: 4_000, currency: "EUR" });
    await cancel(orderId);

    await reconciler().run();

    const refunded = await paymentOf(payment.id);
    assert.deepEqual([refunded.status, refunded.refundedAmount], ["REFUNDED", 4_000]);
    assert.deepEqual(await typesOf(orderId), ["payment.authorized.v1", "payment.captured.v1", "payment.refunded.v1"]);
  });

  it("waits while the provider's processor has not answered, and leaves attempts younger than the bound alone", async () => {
    const processing = await aStaleAttempt();
    await createSimulatorLedger(prisma()).open({
      paymentId: processing.payment.id,
      amount: 4_000,
      currency: "EUR",
      status: "FAILED",
      authorizationReference: null,
      failureReason: "processing_error",
      failureMessage: "The card processor did not answer in time.",
      settlesAt: inAnHour(),
    });
    const fresh = await aStaleAttempt("PENDING", 0);

    await reconciler().run();

    assert.equal((await paymentOf(processing.payment.id)).status, "PENDING");
    assert.equal((await paymentOf(fresh.payment.id)).status, "PENDING");
    assert.deepEqual(await typesOf(processing.orderId), []);
    assert.deepEqual(await typesOf(fresh.orderId), []);
  });

  it("unblocks an order whose payment died at the provider: the same key answers the settled attempt, a new key pays", async () => {
    const customer = aCustomer();
    const due = await anAmountDue(prisma(), { userId: customer.userId, amount: 2_500 });
    const stuck = payInput(due.orderId, { card: cards.processorTimeout });
    answerLost.add(cards.processorTimeout);
    void payments.sub.execute<PayOrder>(PAY, { input: stuck }, { viewer: customer });
    const attempt = await waitFor(() => prisma().payment.findFirst({ where: { orderId: due.orderId } }), due.orderId);
    await waitFor(() => prisma().simulatorPayment.findUnique({ where: { paymentId: attempt } }), due.orderId);
    const pending = await payments.sub.query<PayOrder>(PAY, { input: stuck }, { viewer: customer });
    assert.equal(pending.payOrder.payment.status, "PENDING");
    const blocked = await payments.sub.execute(PAY, { input: payInput(due.orderId) }, { viewer: customer });
    assert.deepEqual(errorCodes(blocked), ["CONFLICT"], "a payment is under way");

    await reconciler(inAnHour).run();

    const settled = await payments.sub.query<PayOrder>(PAY, { input: stuck }, { viewer: customer });
    assert.deepEqual([settled.payOrder.payment.id, settled.payOrder.payment.status], [attempt, "FAILED"]);
    assert.equal(settled.payOrder.failure?.code, "PROCESSING_ERROR");
    const paid = await payments.sub.query<PayOrder>(PAY, { input: payInput(due.orderId) }, { viewer: customer });
    assert.equal(paid.payOrder.payment.status, "CAPTURED");
    answerLost.clear();
  });

  it("keeps an attempt whose capture answer was lost AUTHORIZED, not FAILED, so the order is not charged twice; the reconciler records the capture", async () => {
    const customer = aCustomer();
    const due = await anAmountDue(prisma(), { userId: customer.userId, amount: 3_100 });
    captureAnswerLost = true;
    const lost = await payments.sub.query<PayOrder>(PAY, { input: payInput(due.orderId) }, { viewer: customer });
    captureAnswerLost = false;
    assert.deepEqual([lost.payOrder.payment.status, lost.payOrder.failure], ["AUTHORIZED", null]);
    const again = await payments.sub.execute(PAY, { input: payInput(due.orderId) }, { viewer: customer });
    assert.deepEqual(errorCodes(again), ["CONFLICT"], "a payment is under way: no second charge");

    await reconciler(inAnHour).run();

    assert.equal((await paymentOf(lost.payOrder.payment.id)).status, "CAPTURED");
    assert.equal((await ledgerOf(lost.payOrder.payment.id)).status, "CAPTURED");
    assert.deepEqual(await typesOf(due.orderId), ["payment.authorized.v1", "payment.captured.v1"]);
  });

  it("captures once when reconcilers of three replicas, a retry of payOrder and the provider's late answer race for one attempt", async () => {
    const customer = aCustomer();
    const due = await anAmountDue(prisma(), { userId: customer.userId, amount: 7_700 });
    const input = payInput(due.orderId);
    let answer = () => {};
    lateAnswer = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const paying = payments.sub.execute<PayOrder>(PAY, { input }, { viewer: customer });
    const paymentId = await waitFor(() => prisma().payment.findFirst({ where: { orderId: due.orderId } }), due.orderId);
    await waitFor(() => prisma().simulatorPayment.findUnique({ where: { paymentId } }), due.orderId);
    const captures = payments.simulator.calls.capture;

    const raced = await Promise.all([
      reconciler(inAnHour).run(),
      reconciler(inAnHour).run(),
      reconciler(inAnHour).run(),
      payments.sub.execute<PayOrder>(PAY, { input }, { viewer: customer }),
    ]);
    answer();
    lateAnswer = null;
    const late = await paying;

    assert.deepEqual(late.errors, undefined, "the late answer finds the attempt settled and returns it");
    assert.equal(late.data?.payOrder.payment.status, "CAPTURED");
    const retry = raced[3] as Awaited<typeof paying>;
    assert.deepEqual([retry.errors, retry.data?.payOrder.payment.id], [undefined, paymentId]);
    assert.deepEqual(
      (await prisma().payment.findMany({ where: { orderId: due.orderId } })).map((p) => p.status),
      ["CAPTURED"],
    );
    assert.deepEqual(await typesOf(due.orderId), ["payment.authorized.v1", "payment.captured.v1"]);
    assert.equal(await prisma().paymentAuditEntry.count({ where: { paymentId, action: "CAPTURED" } }), 1);
    const ledger = await ledgerOf(paymentId);
    assert.equal(ledger.status, "CAPTURED");
    assert.ok(payments.simulator.calls.capture - captures >= 1, "the provider was asked to capture");
  });

  /** Delivers order.cancelled to payments, as the saga does. */
  async function cancel(orderId: string) {
    const delivery = createEventDelivery({
      groupId: "payments",
      db: prisma(),
      handlers: createPaymentsHandlers({ logger: silentLogger(), provider: payments.simulator }),
    });
    await delivery.deliver(anOrderCancelled(orderId, false));
    await delivery.close();
  }
});

/** Polls until `read` finds a row, and returns its id (or payment id); fails after 10 s. */
async function waitFor(read: () => Promise<{ id?: string; paymentId?: string } | null>, what: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const row = await read();
    const id = row?.id ?? row?.paymentId;
    if (id) return id;
    if (Date.now() > deadline) assert.fail(`nothing reached the provider for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the simulated provider keeps its books in payments' database", () => {
  let payments: PaymentsUnderTest;
  before(async () => {
    payments = await startPayments();
  });
  after(() => payments.sub.close());

  it("answers a lookup after a restart as the first instance left the attempt; the slow card is processing until its delay passed", async () => {
    const ledger = createSimulatorLedger(payments.sub.prisma);
    const slow = randomUUID();
    const approved = randomUUID();
    const settlesAfter = Date.now() + 1_000;
    const before = createSimulatedPaymentProvider({ ledger, timeoutMs: 60_000 });
    const restarted = (at: number) => createSimulatedPaymentProvider({ ledger, now: () => new Date(at) });
    // the crash: the slow card's answer is never awaited
    await ledger.open({
      paymentId: slow,
      amount: 100,
      currency: "EUR",
      status: "FAILED",
      authorizationReference: null,
      failureReason: "processing_error",
      failureMessage: "The card processor did not answer within 1000 ms.",
      settlesAt: new Date(settlesAfter),
    });
    await before.authorize({ paymentId: approved, amount: 100, currency: "EUR", card: card(cards.approve) });

    const lookups: LookupResult[] = [
      await restarted(settlesAfter - 1).lookup({ paymentId: slow }),
      await restarted(settlesAfter + 1).lookup({ paymentId: slow }),
      await restarted(Date.now()).lookup({ paymentId: approved }),
      await restarted(Date.now()).lookup({ paymentId: randomUUID() }),
    ];

    assert.deepEqual(
      lookups.map((lookup) => lookup.outcome),
      ["processing", "failed", "authorized", "unknown"],
    );
  });

  it("authorizes and captures idempotently: a repeated authorize answers the same, a second capture charges nothing more", async () => {
    const simulator = createSimulatedPaymentProvider({ ledger: createSimulatorLedger(payments.sub.prisma) });
    const request = { paymentId: randomUUID(), amount: 500, currency: "EUR", card: card(cards.approve) };

    const first = await simulator.authorize(request);
    const again = await simulator.authorize({ ...request, card: card(cards.decline) });
    if (first.outcome !== "authorized") assert.fail("the approving card is authorized");
    const captures = await Promise.all([1, 2].map(() => simulator.capture({ reference: first.reference, amount: 500, currency: "EUR" })));

    assert.deepEqual(again, first);
    assert.equal(new Set(captures.map((c) => (c.outcome === "captured" ? c.reference : c.outcome))).size, 1);
    const entry = await payments.sub.prisma.simulatorPayment.findUniqueOrThrow({ where: { paymentId: request.paymentId } });
    assert.equal(entry.status, "CAPTURED");
    assert.deepEqual(await simulator.lookup({ paymentId: request.paymentId }), {
      outcome: "captured",
      authorization: first.reference,
      reference: entry.captureReference,
    });
  });
});

describe("how a stale attempt settles", () => {
  const failure = { outcome: "failed", reason: "card_declined", message: "The card was declined." } as const;
  for (const [lookup, cancelled, expected] of [
    [{ outcome: "processing" }, false, { action: "wait" }],
    [{ outcome: "authorized", reference: "auth" }, false, { action: "capture", authorization: "auth" }],
    [{ outcome: "authorized", reference: "auth" }, true, { action: "fail", failure: CANCELLED_BEFORE_CAPTURE }],
    [
      { outcome: "captured", authorization: "auth", reference: "cap" },
      true,
      { action: "record-capture", authorization: "auth", reference: "cap" },
    ],
    [failure, false, { action: "fail", failure }],
    [{ outcome: "unknown" }, false, { action: "fail", failure: NEVER_RECEIVED }],
  ] as const) {
    it(`${lookup.outcome} at the provider${cancelled ? ", order cancelled" : ""}: ${expected.action}`, () => {
      assert.deepEqual(settlementOf(lookup, cancelled), expected);
    });
  }

  it("reads its bound and period from PAYMENT_RECONCILE_AFTER_SECONDS and _EVERY_SECONDS (30 s and 15 s) and refuses nonsense", () => {
    const defaults = paymentsSettingsFromEnv({});
    assert.deepEqual(
      [defaults.PAYMENT_RECONCILE_AFTER_SECONDS, defaults.PAYMENT_RECONCILE_EVERY_SECONDS, defaults.PAYMENT_SIMULATOR_TIMEOUT_MS],
      [30, 15, 2_000],
    );
    assert.ok(defaults.PAYMENT_RECONCILE_AFTER_SECONDS + defaults.PAYMENT_RECONCILE_EVERY_SECONDS <= 60, "settled within a minute");
    assert.equal(paymentsSettingsFromEnv({ PAYMENT_RECONCILE_AFTER_SECONDS: "2" }).PAYMENT_RECONCILE_AFTER_SECONDS, 2);
    assert.throws(() => paymentsSettingsFromEnv({ PAYMENT_RECONCILE_AFTER_SECONDS: "0" }), /PAYMENT_RECONCILE_AFTER_SECONDS/);
    assert.throws(() => paymentsSettingsFromEnv({ PAYMENT_RECONCILE_EVERY_SECONDS: "soon" }), /PAYMENT_RECONCILE_EVERY_SECONDS/);
  });
});
