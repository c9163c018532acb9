// The order saga end to end: six subgraph processes on their own databases, events on a real Kafka broker, and the
// router in front, driven over HTTP the way a storefront drives it.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { demoUsers } from "@storefront/demo-data";
import { type SupergraphProcesses, startSupergraphProcesses } from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
import { aCustomerWithCart, aNewCustomer, aStockedProduct, cards, eventually, type ShopSession, signIn, stockOf } from "./support/shop.ts";

const needsKafka = process.env.KAFKA_BROKERS ? false : "needs a Kafka broker (KAFKA_BROKERS)";

describe("the order saga through the router, on Kafka", { skip: needsKafka, timeout: 300_000 }, () => {
  let stack: SupergraphProcesses;
  let admin: ShopSession;

  before(async () => {
    stack = await startSupergraphProcesses({
      subgraphs: ["users", "catalog", "inventory", "cart", "orders", "payments"],
      env: { KAFKA_NAMESPACE: `saga-${randomUUID().slice(0, 8)}` },
    });
    const demoAdmin = demoUsers.find((user) => user.role === "ADMIN");
    assert.ok(demoAdmin);
    admin = await signIn(stack.routerUrl, demoAdmin.email, demoPasswords[demoAdmin.email] ?? "");
  });
  after(() => stack?.stop());

  it("register, browse, fill the cart, check out, pay: the order is PAID, its stock committed and the cart emptied", async () => {
    const product = await aStockedProduct(admin, 10, 2_500);
    const customer = await aNewCustomer(stack.routerUrl);
    await customer.addAddress();
    const browse = await customer.must<{ product: { name: string; inStock: boolean; price: { amount: number } } }>(
      "query($id: ID) { product(id: $id) { name inStock price { amount } } }",
      { id: product.id },
    );
    assert.equal(browse.product.inStock, true);
    await customer.addToCart(product.id, 2);

    const checkout = await customer.checkout();
    assert.deepEqual(checkout.body.errors, undefined);
    const order = checkout.body.data?.checkout;
    assert.ok(order);
    assert.equal(order.status, "PENDING_PAYMENT");
    assert.deepEqual(order.total, { amount: 5_000, currency: "EUR" });
    assert.deepEqual(await stockOf(admin, product.id), { onHand: 10, reserved: 2, available: 8 }, "reserved at checkout");

    const paid = await customer.pay(order.id, cards.approves);
    assert.equal(paid.payment.status, "CAPTURED");
    const settled = await customer.orderReaches(order.id, "PAID");
    assert.equal(settled.paymentStatus, "PAID");
    assert.deepEqual(
      settled.statusHistory.map((change) => [change.from, change.to, change.actor]),
      [
        [null, "PENDING_PAYMENT", customer.userId],
        ["PENDING_PAYMENT", "PAID", "system:payments"],
      ],
    );
    await eventually(
      () => stockOf(admin, product.id),
      (stock) => stock.onHand === 8 && stock.reserved === 0,
      "inventory commits the paid units",
    );
    await eventually(
      () => customer.cartCount(),
      (count) => count === 0,
      "the cart is emptied of what was ordered",
    );
  });

  it("a declined card leaves the order PAYMENT_FAILED, and paying again with a good card succeeds", async () => {
    const product = await aStockedProduct(admin, 5);
    const customer = await aCustomerWithCart(stack.routerUrl, product.id);
    const order = (await customer.checkout()).body.data?.checkout;
    assert.ok(order);

    const declined = await customer.pay(order.id, cards.declines);
    assert.equal(declined.payment.status, "FAILED");
    assert.deepEqual(declined.failure, { code: "PAYMENT_DECLINED", reason: "card_declined" });
    await customer.orderReaches(order.id, "PAYMENT_FAILED");
    assert.deepEqual(await stockOf(admin, product.id), { onHand: 5, reserved: 1, available: 4 }, "the stock stays held for a retry");

    const retried = await customer.pay(order.id, cards.approves);
    assert.equal(retried.payment.status, "CAPTURED");
    const paid = await customer.orderReaches(order.id, "PAID");
    assert.deepEqual(
      paid.statusHistory.map((change) => change.to),
      ["PENDING_PAYMENT", "PAYMENT_FAILED", "PAID"],
    );
    await eventually(
      () => stockOf(admin, product.id),
      (stock) => stock.onHand === 4 && stock.reserved === 0,
      "inventory commits the paid unit",
    );
  });

  it("cancelling a paid order refunds the payment and returns the stock", async () => {
    const product = await aStockedProduct(admin, 3, 7_000);
    const customer = await aCustomerWithCart(stack.routerUrl, product.id, 2);
    const order = (await customer.checkout()).body.data?.checkout;
    assert.ok(order);
    await customer.pay(order.id, cards.approves);
    await customer.orderReaches(order.id, "PAID");
    await eventually(
      () => stockOf(admin, product.id),
      (stock) => stock.onHand === 1,
      "inventory commits the paid units",
    );

    const cancelled = await customer.cancel(order.id);
    assert.equal(cancelled.status, "CANCELLED");
    const refunded = await customer.orderReaches(order.id, "REFUNDED");
    assert.equal(refunded.paymentStatus, "REFUNDED");
    assert.deepEqual(
      refunded.payments?.map((payment) => [payment.status, payment.refundedAmount.amount]),
      [["REFUNDED", 14_000]],
    );
    await eventually(
      () => stockOf(admin, product.id),
      (stock) => stock.onHand === 3 && stock.reserved === 0 && stock.available === 3,
      "inventory takes the units back",
    );
  });

  it("lets exactly 5 of 20 customers checking out the last 5 units at once succeed", async () => {
    const product = await aStockedProduct(admin, 5);
    const customers: ShopSession[] = [];
    for (let i = 0; i < 20; i++) customers.push(await aCustomerWithCart(stack.routerUrl, product.id));

    const results = await Promise.all(customers.map((customer) => customer.checkout()));

    const outcomes = results.map((result) => (result.body.errors?.[0]?.extensions?.code as string | undefined) ?? "ORDERED");
    assert.equal(outcomes.filter((outcome) => outcome === "ORDERED").length, 5, outcomes.join(" "));
    assert.equal(outcomes.filter((outcome) => outcome === "OUT_OF_STOCK").length, 15, outcomes.join(" "));
    assert.deepEqual(await stockOf(admin, product.id), { onHand: 5, reserved: 5, available: 0 });
    // the five orders' order.placed events reach inventory too: reserving again for a held order changes nothing
    const placed = results.flatMap((result) => (result.body.data?.checkout ? [result.body.data.checkout.id] : []));
    for (const [i, orderId] of placed.entries()) {
      const owner = customers[results.findIndex((result) => result.body.data?.checkout?.id === orderId)];
      await eventually(
        () => (owner as ShopSession).order(orderId),
        (order) => order.paymentStatus === "AWAITING_PAYMENT",
        `payments records order ${i}`,
      );
    }
    assert.deepEqual(await stockOf(admin, product.id), { onHand: 5, reserved: 5, available: 0 });
  });
});
