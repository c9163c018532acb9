import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { silentLogger } from "@storefront/service";
import { createEventDelivery } from "@storefront/testkit";
import { createPaymentsHandlers } from "../src/events/handlers.ts";
import { anAmountDue, anOrderCancelled } from "./builders.ts";
import { aCustomer, outboxOf, PAY, type PaymentsUnderTest, type PayOrder, payInput, startPayments } from "./payment-flow.ts";

describe("an order cancelled while its payment is being captured", () => {
  let payments: PaymentsUnderTest;
  /** The order whose cancellation arrives while the provider captures its payment. */
  let cancelDuringCapture: string | null = null;
  before(async () => {
    payments = await startPayments((simulator) => ({
      ...simulator,
      async capture(request) {
        const result = await simulator.capture(request);
        if (cancelDuringCapture) {
          const delivery = createEventDelivery({
            groupId: "payments",
            db: payments.sub.prisma,
            handlers: createPaymentsHandlers({ logger: silentLogger(), provider: simulator }),
          });
          await delivery.deliver(anOrderCancelled(cancelDuringCapture, false));
          await delivery.close();
        }
        return result;
      },
    }));
  });
  after(() => payments.sub.close());

  it("refunds the captured amount at once, so a cancelled order never keeps the customer's money", async () => {
    const customer = aCustomer();
    const due = await anAmountDue(payments.sub.prisma, { userId: customer.userId, amount: 3_300 });
    cancelDuringCapture = due.orderId;

    const { payOrder } = await payments.sub.query<PayOrder>(PAY, { input: payInput(due.orderId) }, { viewer: customer });

    assert.equal(payOrder.payment.status, "REFUNDED");
    assert.deepEqual(payOrder.payment.refundedAmount, { amount: 3_300 });
    const refunds = await payments.sub.prisma.refund.findMany({ where: { paymentId: payOrder.payment.id } });
    assert.deepEqual(
      refunds.map((r) => [r.amount, r.requestedBy]),
      [[3_300, null]],
    );
    assert.deepEqual(
      (await outboxOf(payments.sub.prisma, due.orderId)).map((e) => e.type),
      ["payment.authorized.v1", "payment.captured.v1", "payment.refunded.v1"],
    );
  });
});
