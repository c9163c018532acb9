import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Viewer } from "@storefront/auth";
import { errorCodes, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { paymentsSubgraph } from "../src/index.ts";
import { anAmountDue, aPayment } from "./builders.ts";

const ORDERS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id amountDue { amount currency } paymentStatus payments { id status amount { amount currency } } } } }`;
type Money = { amount: number; currency: string };
type OrderPayments = {
  id: string;
  amountDue: Money | null;
  paymentStatus: string | null;
  payments: { id: string; status: string; amount: Money }[];
};
type Orders = { _entities: OrderPayments[] };

const order = (id: string) => ({ __typename: "Order", id });
const admin: Viewer = { userId: randomUUID(), role: "ADMIN", scopes: ["admin"] };
const asAdmin = { viewer: admin };
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

describe("payments subgraph", () => {
  let payments: TestSubgraph<PrismaClient>;
  before(async () => {
    payments = await startTestSubgraph(paymentsSubgraph);
  });
  after(() => payments.close());

  it("adds an order's amount due, its payment attempts newest first, and the payment status they add up to", async () => {
    const due = await anAmountDue(payments.prisma, { amount: 12_345, currency: "EUR" });
    const failed = await aPayment(payments.prisma, due.orderId, { amount: 12_345, status: "FAILED", createdAt: minutesAgo(2) });
    const captured = await aPayment(payments.prisma, due.orderId, { amount: 12_345, status: "CAPTURED", createdAt: minutesAgo(1) });

    const data = await payments.query<Orders>(ORDERS, { r: [order(due.orderId)] }, asAdmin);

    assert.deepEqual(data._entities, [
      {
        id: due.orderId,
        amountDue: { amount: 12_345, currency: "EUR" },
        paymentStatus: "PAID",
        payments: [
          { id: captured.id, status: "CAPTURED", amount: { amount: 12_345, currency: "EUR" } },
          { id: failed.id, status: "FAILED", amount: { amount: 12_345, currency: "EUR" } },
        ],
      },
    ]);
  });

  it("resolves several orders in one request, in order; one payments has not recorded owes nothing known", async () => {
    const awaiting = await anAmountDue(payments.prisma, { amount: 900 });
    const failing = await anAmountDue(payments.prisma, { amount: 900 });
    await aPayment(payments.prisma, failing.orderId, { amount: 900, status: "FAILED" });
    const retrying = await anAmountDue(payments.prisma, { amount: 900 });
    await aPayment(payments.prisma, retrying.orderId, { amount: 900, status: "FAILED", createdAt: minutesAgo(2) });
    await aPayment(payments.prisma, retrying.orderId, { amount: 900, status: "PENDING", createdAt: minutesAgo(1) });
    const unrecorded = randomUUID();

    const data = await payments.query<Orders>(
      ORDERS,
      {
        r: [order(unrecorded), order(failing.orderId), order(retrying.orderId), order(awaiting.orderId), order("not-a-uuid")],
      },
      asAdmin,
    );

    assert.deepEqual(
      data._entities.map((o) => [o.id, o.amountDue?.amount ?? null, o.paymentStatus, o.payments.length]),
      [
        [unrecorded, null, null, 0],
        [failing.orderId, 900, "PAYMENT_FAILED", 1],
        [retrying.orderId, 900, "PROCESSING", 2],
        [awaiting.orderId, 900, "AWAITING_PAYMENT", 0],
        ["not-a-uuid", null, null, 0],
      ],
    );
  });

  it("resolves payments by id with their order, null for unknown ids", async () => {
    const due = await anAmountDue(payments.prisma);
    const payment = await aPayment(payments.prisma, due.orderId, { amount: 700, status: "AUTHORIZED" });
    const data = await payments.query<{ _entities: unknown[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { id status amount { amount currency } createdAt updatedAt order { id paymentStatus } } } }`,
      {
        r: [
          { __typename: "Payment", id: randomUUID() },
          { __typename: "Payment", id: payment.id },
          { __typename: "Payment", id: "nope" },
        ],
      },
      asAdmin,
    );
    assert.deepEqual(data._entities, [
      null,
      {
        id: payment.id,
        status: "AUTHORIZED",
        amount: { amount: 700, currency: "EUR" },
        createdAt: payment.createdAt.toISOString(),
        updatedAt: payment.updatedAt.toISOString(),
        order: { id: due.orderId, paymentStatus: "AUTHORIZED" },
      },
      null,
    ]);
  });

  it("loads the payments of many orders with a constant number of SQL statements", async () => {
    const dues = await Promise.all(Array.from({ length: 10 }, () => anAmountDue(payments.prisma)));
    for (const due of dues) await aPayment(payments.prisma, due.orderId, { status: "CAPTURED" });

    const { result, count } = await payments.database.countQueries(() =>
      payments.query<Orders>(ORDERS, { r: dues.map((due) => order(due.orderId)) }, asAdmin),
    );

    assert.ok(result._entities.every((o) => o.paymentStatus === "PAID" && o.payments.length === 1));
    assert.equal(count, 2, "one statement for the amounts due, one for the payments");
  });

  it("shows an order's amount due, status and payments to its customer and admins only", async () => {
    const customer: Viewer = { userId: randomUUID(), role: "CUSTOMER", scopes: [] };
    const someoneElse: Viewer = { userId: randomUUID(), role: "CUSTOMER", scopes: [] };
    const due = await anAmountDue(payments.prisma, { userId: customer.userId, amount: 4_200 });
    const payment = await aPayment(payments.prisma, due.orderId, { amount: 4_200, status: "CAPTURED" });
    const orderQuery =
      "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { amountDue { amount } paymentStatus payments { id } } } }";
    const paymentQuery = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { id } } }";
    const r = [order(due.orderId)];

    const own = await payments.query<{ _entities: unknown[] }>(orderQuery, { r }, { viewer: customer });
    assert.deepEqual(own._entities, [{ amountDue: { amount: 4_200 }, paymentStatus: "PAID", payments: [{ id: payment.id }] }]);

    const foreign = await payments.execute(orderQuery, { r }, { viewer: someoneElse });
    // payments is non-null, so its error nulls the whole order and the remaining siblings are not reported.
    const onlyCode = (codes: unknown[], code: string) => codes.length > 0 && codes.every((c) => c === code);
    assert.ok(onlyCode(errorCodes(foreign), "FORBIDDEN"), JSON.stringify(foreign.errors));
    assert.equal(JSON.stringify(foreign.data).includes("4200"), false, "nothing of the order's money leaks");
    assert.deepEqual(
      errorCodes(await payments.execute(paymentQuery, { r: [{ __typename: "Payment", id: payment.id }] }, { viewer: someoneElse })),
      ["FORBIDDEN"],
    );

    const anonymous = await payments.execute(orderQuery, { r });
    assert.ok(onlyCode(errorCodes(anonymous), "UNAUTHENTICATED"), JSON.stringify(anonymous.errors));
  });
});
