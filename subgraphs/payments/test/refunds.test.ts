import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Viewer } from "@storefront/auth";
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
  REFUND,
  type RefundPayment,
  startPayments,
} from "./payment-flow.ts";

const AUDIT = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { auditTrail { action actorId amount { amount currency } providerReference detail } } } }`;
type Audit = {
  _entities: {
    auditTrail: {
      action: string;
      actorId: string | null;
      amount: { amount: number };
      providerReference: string | null;
      detail: string | null;
    }[];
  }[];
};

describe("refunds and the audit trail", () => {
  let payments: PaymentsUnderTest;
  const admin = anAdmin();
  before(async () => {
    payments = await startPayments();
  });
  after(() => payments.sub.close());

  /** A captured payment of a new order of a new customer. */
  async function aCapturedPayment(amount = 10_000, card: string = cards.approve) {
    const customer = aCustomer();
    const due = await anAmountDue(payments.sub.prisma, { userId: customer.userId, amount });
    const { payOrder } = await payments.sub.query<PayOrder>(PAY, { input: payInput(due.orderId, { card }) }, { viewer: customer });
    return { customer, orderId: due.orderId, paymentId: payOrder.payment.id };
  }

  const refundInput = (paymentId: string, amount?: number, idempotencyKey: string = randomUUID()) => ({
    paymentId,
    reason: "Damaged in transit",
    idempotencyKey,
    ...(amount === undefined ? {} : { amount }),
  });
  const refund = (input: ReturnType<typeof refundInput>, viewer: Viewer = admin) =>
    payments.sub.execute<RefundPayment>(REFUND, { input }, { viewer });

  const deliverCancellation = async (orderId: string, wasPaid: boolean, times = 1) => {
    const delivery = createEventDelivery({
      groupId: "payments",
      db: payments.sub.prisma,
      handlers: createPaymentsHandlers({ logger: silentLogger(), provider: payments.simulator }),
    });
    const event = anOrderCancelled(orderId, wasPaid);
    for (let i = 0; i < times; i += 1) await delivery.deliver(event);
    assert.deepEqual(delivery.deadLetters, []);
    await delivery.close();
  };

  it("refunds a captured payment in full when no amount is given, with payment.refunded in the outbox", async () => {
    const { orderId, paymentId } = await aCapturedPayment(7_500);

    const result = await refund(refundInput(paymentId));

    assert.deepEqual(result.errors, undefined);
    const made = result.data?.refundPayment;
    assert.deepEqual(made?.amount, { amount: 7_500, currency: "EUR" });
    assert.deepEqual(made?.payment, { id: paymentId, status: "REFUNDED", refundedAmount: { amount: 7_500 } });
    const refunded = (await outboxOf(payments.sub.prisma, orderId)).filter((e) => e.type === "payment.refunded.v1");
    assert.deepEqual(
      refunded.map((e) => [e.data.paymentId, e.data.refundId, e.data.amount]),
      [[paymentId, made?.id, { amount: 7_500, currency: "EUR" }]],
    );
  });

  it("refunds part by part, never more than captured minus already refunded", async () => {
    const { paymentId } = await aCapturedPayment(10_000);

    assert.equal((await refund(refundInput(paymentId, 3_000))).data?.refundPayment.payment.refundedAmount.amount, 3_000);
    assert.equal((await refund(refundInput(paymentId, 5_000))).data?.refundPayment.payment.status, "CAPTURED");
    assert.deepEqual(errorCodes(await refund(refundInput(paymentId, 2_001))), ["CONFLICT"]);
    const last = await refund(refundInput(paymentId, 2_000));
    assert.deepEqual(last.data?.refundPayment.payment, { id: paymentId, status: "REFUNDED", refundedAmount: { amount: 10_000 } });
    assert.deepEqual(errorCodes(await refund(refundInput(paymentId, 1))), ["CONFLICT"]);
    assert.equal(await payments.sub.prisma.refund.count({ where: { paymentId } }), 3);
  });

  it("returns the same refund for the same key and refunds once", async () => {
    const { paymentId } = await aCapturedPayment(10_000);
    const input = refundInput(paymentId, 4_000);
    const calls = payments.simulator.calls.refund;

    const first = await refund(input);
    const again = await refund(input);

    assert.deepEqual(again, first);
    assert.equal(payments.simulator.calls.refund - calls, 1);
    assert.equal((await payments.sub.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).refundedAmount, 4_000);
  });

  it("lets only admins refund; a payment that was never captured cannot be refunded; bad input changes nothing", async () => {
    const { customer, paymentId } = await aCapturedPayment();
    assert.deepEqual(errorCodes(await refund(refundInput(paymentId), customer)), ["FORBIDDEN"]);
    assert.deepEqual(errorCodes(await payments.sub.execute(REFUND, { input: refundInput(paymentId) })), ["UNAUTHENTICATED"]);
    assert.deepEqual(errorCodes(await refund(refundInput(paymentId, 0))), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await refund({ ...refundInput(paymentId), reason: " " })), ["BAD_USER_INPUT"]);
    assert.deepEqual(errorCodes(await refund(refundInput(randomUUID()))), ["NOT_FOUND"]);
    assert.equal(await payments.sub.prisma.refund.count({ where: { paymentId } }), 0);

    const declined = await aCapturedPayment(10_000, cards.decline);
    assert.deepEqual(errorCodes(await refund(refundInput(declined.paymentId))), ["CONFLICT"]);
  });

  it("refunds a paid order in full when it is cancelled, once however often the event is delivered", async () => {
    const { orderId, paymentId } = await aCapturedPayment(6_000);
    await refund(refundInput(paymentId, 1_000));

    await deliverCancellation(orderId, true, 2);
    await deliverCancellation(orderId, true);

    const refunds = await payments.sub.prisma.refund.findMany({ where: { paymentId }, orderBy: { createdAt: "asc" } });
    assert.deepEqual(
      refunds.map((r) => [r.amount, r.requestedBy]),
      [
        [1_000, admin.userId],
        [5_000, null],
      ],
    );
    assert.equal((await payments.sub.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).status, "REFUNDED");
    const events = (await outboxOf(payments.sub.prisma, orderId)).filter((e) => e.type === "payment.refunded.v1");
    assert.deepEqual(
      events.map((e) => (e.data.amount as { amount: number }).amount),
      [1_000, 5_000],
    );
  });

  it("shows refunds on the order: partial ones add up in refundedAmount while it stays PAID, a full one makes it REFUNDED", async () => {
    const { customer, orderId, paymentId } = await aCapturedPayment(9_000);
    const ORDER = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { paymentStatus refundedAmount { amount currency } } } }`;
    type OrderMoney = { _entities: { paymentStatus: string; refundedAmount: { amount: number; currency: string } | null }[] };
    const orderSeenBy = async (viewer: Viewer) =>
      (await payments.sub.query<OrderMoney>(ORDER, { r: [{ __typename: "Order", id: orderId }] }, { viewer }))._entities[0];

    const unrefunded = await orderSeenBy(customer);
    await refund(refundInput(paymentId, 2_500));
    await refund(refundInput(paymentId, 1_000));
    const partly = await orderSeenBy(customer);
    await refund(refundInput(paymentId));
    const fully = await orderSeenBy(admin);

    assert.deepEqual(unrefunded, { paymentStatus: "PAID", refundedAmount: { amount: 0, currency: "EUR" } });
    assert.deepEqual(partly, { paymentStatus: "PAID", refundedAmount: { amount: 3_500, currency: "EUR" } });
    assert.deepEqual(fully, { paymentStatus: "REFUNDED", refundedAmount: { amount: 9_000, currency: "EUR" } });
    const unknown = await payments.sub.query<OrderMoney>(ORDER, { r: [{ __typename: "Order", id: randomUUID() }] }, { viewer: admin });
    assert.equal(unknown._entities[0]?.refundedAmount, null, "null until payments has recorded the order");
  });

  it("refunds nothing when an unpaid order is cancelled", async () => {
    const customer = aCustomer();
    const due = await anAmountDue(payments.sub.prisma, { userId: customer.userId });
    await payments.sub.query<PayOrder>(PAY, { input: payInput(due.orderId, { card: cards.decline }) }, { viewer: customer });
    const calls = payments.simulator.calls.refund;

    await deliverCancellation(due.orderId, false);

    assert.equal(await payments.sub.prisma.refund.count({ where: { payment: { orderId: due.orderId } } }), 0);
    assert.equal(payments.simulator.calls.refund, calls);
  });

  it("writes every step to the audit trail, which admins can read and nobody can change", async () => {
    const { customer, paymentId } = await aCapturedPayment(8_000);
    await refund(refundInput(paymentId, 2_000));

    const trail = (await payments.sub.query<Audit>(AUDIT, { r: [{ __typename: "Payment", id: paymentId }] }, { viewer: admin }))
      ._entities[0]?.auditTrail;
    assert.deepEqual(
      trail?.map((e) => [e.action, e.actorId, e.amount.amount, e.providerReference !== null]),
      [
        ["ATTEMPTED", customer.userId, 8_000, false],
        ["AUTHORIZED", customer.userId, 8_000, true],
        ["CAPTURED", customer.userId, 8_000, true],
        ["REFUNDED", admin.userId, 2_000, true],
      ],
    );
    assert.deepEqual(
      errorCodes(await payments.sub.execute(AUDIT, { r: [{ __typename: "Payment", id: paymentId }] }, { viewer: customer })),
      ["FORBIDDEN"],
    );

    const entry = await payments.sub.prisma.paymentAuditEntry.findFirstOrThrow({ where: { paymentId } });
    await assert.rejects(payments.sub.prisma.paymentAuditEntry.update({ where: { id: entry.id }, data: { amount: 1 } }), /append-only/);
    await assert.rejects(payments.sub.prisma.paymentAuditEntry.delete({ where: { id: entry.id } }), /append-only/);
    await assert.rejects(payments.sub.prisma.$executeRawUnsafe("TRUNCATE payment_audit_entry"), /append-only/);
    assert.equal(await payments.sub.prisma.paymentAuditEntry.count({ where: { paymentId } }), 4);
  });
});
