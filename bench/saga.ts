// Checkout → PAID through the whole shop: six subgraph processes on PostgreSQL, events on Kafka, the router in front,
// driven over HTTP as a storefront drives it (the end-to-end tests' shop client sets the scene). One customer at a
// time, so each figure is one journey's latency.
import { randomUUID } from "node:crypto";
import { demoUsers } from "@storefront/demo-data";
import { startSupergraphProcesses } from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
import { aCustomerWithCart, aStockedProduct, type ShopSession, signIn } from "../test/e2e/support/shop.ts";
import { type LatencySummary, summarize } from "./stats.ts";

export interface SagaTarget {
  readonly postgresUrl: string;
  readonly brokers: readonly string[];
  /** Namespace of this run's topics and consumer groups (without the trailing dot). */
  readonly namespace: string;
  readonly log: (line: string) => void;
}

export interface SagaFigures {
  readonly samples: number;
  /** The checkout mutation: cart, address book, prices, stock reservation, order stored. */
  readonly checkout: LatencySummary;
  /** From the checkout's answer until payments accepts payOrder (order.placed went through the outbox and Kafka). */
  readonly placedToPayable: LatencySummary;
  /** The payOrder mutation (the simulator answers at once). */
  readonly pay: LatencySummary;
  /** From payOrder's answer until the order reads PAID (payment.captured through Kafka to orders). */
  readonly paidToOrderPaid: LatencySummary;
  /** From sending checkout until the order reads PAID: what a customer waits, polling every 5 ms. */
  readonly checkoutToPaid: LatencySummary;
}

const POLL_MS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchmarkCheckoutToPaid(target: SagaTarget, { samples }: { samples: number }): Promise<SagaFigures> {
  const previous = process.env.TEST_POSTGRES_URL;
  process.env.TEST_POSTGRES_URL = target.postgresUrl; // the processes' databases are cloned from migrated templates there
  target.log("starting six subgraph processes and the router ...");
  const stack = await startSupergraphProcesses({
    subgraphs: ["users", "catalog", "inventory", "cart", "orders", "payments"],
    env: {
      KAFKA_BROKERS: target.brokers.join(","),
      KAFKA_NAMESPACE: target.namespace,
      LOG_LEVEL: "warn",
      // one client polling every 5 ms measures the saga, not the router's rate limits (bench/router.ts measures those)
      RATE_LIMIT_PER_ADDRESS: "off",
      RATE_LIMIT_PER_USER: "off",
    },
  });
  try {
    const url = stack.routerUrl;
    const admin = demoUsers.find((user) => user.role === "ADMIN");
    if (!admin) throw new Error("no demo admin");
    const product = await aStockedProduct(await signIn(url, admin.email, demoPasswords[admin.email] ?? ""), samples + 10, 2_500);
    target.log(`registering ${samples + 2} customers with an address and a full cart (not measured) ...`);
    const customers: ShopSession[] = [];
    for (let i = 0; i < samples + 2; i++) customers.push(await aCustomerWithCart(url, product.id));

    const figures = {
      checkout: [] as number[],
      placedToPayable: [] as number[],
      pay: [] as number[],
      paidToOrderPaid: [] as number[],
      total: [] as number[],
    };
    // the first two journeys warm up connections, JIT and consumer fetches; they are not counted
    for (const [index, customer] of customers.entries()) {
      const started = performance.now();
      const { checkout } = await customer.must<{ checkout: { id: string } }>(
        "mutation($input: CheckoutInput!) { checkout(input: $input) { id } }",
        { input: { idempotencyKey: randomUUID() } },
      );
      const placed = performance.now();
      const payInput = {
        orderId: checkout.id,
        idempotencyKey: randomUUID(),
        method: { cardNumber: "4242424242424242", expiryMonth: 12, expiryYear: 2030, cvc: "123" },
      };
      let payable = 0;
      let paid = 0;
      for (;;) {
        const attempt = performance.now();
        const { body } = await customer.call<{ payOrder: { payment: { status: string } } }>(
          "mutation($input: PayOrderInput!) { payOrder(input: $input) { payment { status } } }",
          { input: payInput },
        );
        if (body.errors?.[0]?.extensions?.code === "NOT_FOUND") {
          await sleep(POLL_MS);
          continue;
        }
        if (body.errors?.length || body.data?.payOrder.payment.status !== "CAPTURED") throw new Error(`payOrder: ${JSON.stringify(body)}`);
        payable = attempt;
        paid = performance.now();
        break;
      }
      for (;;) {
        const { order } = await customer.must<{ order: { status: string } }>("query($id: ID!) { order(id: $id) { status } }", {
          id: checkout.id,
        });
        if (order.status === "PAID") break;
        await sleep(POLL_MS);
      }
      const done = performance.now();
      if (index < 2) continue;
      figures.checkout.push(placed - started);
      figures.placedToPayable.push(payable - placed);
      figures.pay.push(paid - payable);
      figures.paidToOrderPaid.push(done - paid);
      figures.total.push(done - started);
    }
    return {
      samples,
      checkout: summarize(figures.checkout),
      placedToPayable: summarize(figures.placedToPayable),
      pay: summarize(figures.pay),
      paidToOrderPaid: summarize(figures.paidToOrderPaid),
      checkoutToPaid: summarize(figures.total),
    };
  } finally {
    await stack.stop();
    if (previous === undefined) delete process.env.TEST_POSTGRES_URL;
    else process.env.TEST_POSTGRES_URL = previous;
  }
}
