import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PaymentAttemptStatus } from "../src/data/generated/enums.ts";
import { orderPaymentStatus, orderRefundedAmount } from "../src/domain/payment-status.ts";

const due = { amount: 1_000, currency: "EUR" };
const attempt = (status: PaymentAttemptStatus, amount = 1_000, currency = "EUR") => ({ status, amount, currency });

describe("an order's payment status", () => {
  it("is unknown until the amount due is recorded", () => {
    assert.equal(orderPaymentStatus(null, [attempt("CAPTURED")]), null);
  });

  it("awaits payment while there is no attempt", () => {
    assert.equal(orderPaymentStatus(due, []), "AWAITING_PAYMENT");
  });

  it("follows the latest attempt while nothing is charged", () => {
    assert.equal(orderPaymentStatus(due, [attempt("PENDING"), attempt("FAILED")]), "PROCESSING");
    assert.equal(orderPaymentStatus(due, [attempt("AUTHORIZED")]), "AUTHORIZED");
    assert.equal(orderPaymentStatus(due, [attempt("FAILED"), attempt("FAILED")]), "PAYMENT_FAILED");
  });

  it("is paid once the captured amounts reach the amount due, and partially paid below it", () => {
    assert.equal(orderPaymentStatus(due, [attempt("CAPTURED", 400), attempt("CAPTURED", 600)]), "PAID");
    assert.equal(orderPaymentStatus(due, [attempt("FAILED"), attempt("CAPTURED", 400)]), "PARTIALLY_PAID");
  });

  it("is refunded when everything charged was returned", () => {
    assert.equal(orderPaymentStatus(due, [attempt("REFUNDED")]), "REFUNDED");
  });

  it("does not count attempts in another currency", () => {
    assert.equal(orderPaymentStatus(due, [attempt("CAPTURED", 1_000, "USD")]), "AWAITING_PAYMENT");
  });

  it("settles an order that owes nothing", () => {
    assert.equal(orderPaymentStatus({ amount: 0, currency: "EUR" }, []), "PAID");
  });
});

describe("an order's refunded amount", () => {
  const refunded = (refundedAmount: number, currency = "EUR") => ({ amount: 1_000, currency, refundedAmount });

  it("adds up the refunds of every attempt in the order's currency", () => {
    assert.deepEqual(orderRefundedAmount(due, [refunded(300), refunded(0), refunded(200)]), { amount: 500, currency: "EUR" });
    assert.deepEqual(orderRefundedAmount(due, [refunded(700, "USD")]), { amount: 0, currency: "EUR" });
    assert.deepEqual(orderRefundedAmount(due, []), { amount: 0, currency: "EUR" });
  });
});
