// Checkout → PAID through the whole shop: six subgraph processes on PostgreSQL, events on Kafka, the router in front,
// driven over HTTP as a storefront drives it. One customer at a time, so each figure is one journey's latency.
import { randomUUID } from "node:crypto";
import { demoUsers } from "@storefront/demo-data";
import { graphqlRequest, startSupergraphProcesses } from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
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

/** A GraphQL call that must succeed. */
async function must<Data>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<Data> {
  const { body } = await graphqlRequest<Data>(url, query, variables, token ? { authorization: `Bearer ${token}` } : {});
  if (body.errors?.length || !body.data) throw new Error(`${query.slice(0, 50)}…: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export async function benchmarkCheckoutToPaid(target: SagaTarget, { samples }: { samples: number }): Promise<SagaFigures> {
  const previous = process.env.TEST_POSTGRES_URL;
  process.env.TEST_POSTGRES_URL = target.postgresUrl; // the processes' databases are cloned from migrated templates there
  target.log("starting six subgraph processes and the router ...");
  const stack = await startSupergraphProcesses({
    subgraphs: ["users", "catalog", "inventory", "cart", "orders", "payments"],
    env: { KAFKA_BROKERS: target.brokers.join(","), KAFKA_NAMESPACE: target.namespace, LOG_LEVEL: "warn" },
  });
  try {
    const url = stack.routerUrl;
    const admin = demoUsers.find((user) => user.role === "ADMIN");
    if (!admin) throw new Error("no demo admin");
    const adminToken = (
      await must<{ login: { accessToken: string } }>(url, "mutation($input: LoginInput!) { login(input: $input) { accessToken } }", {
        input: { email: admin.email, password: demoPasswords[admin.email] },
      })
    ).login.accessToken;
    const { createProduct } = await must<{ createProduct: { id: string } }>(
      url,
      "mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }",
      { input: { sku: `BENCH-${randomUUID().slice(0, 8)}`, name: "Bench kettle", price: { amount: 2_500, currency: "EUR" } } },
      adminToken,
    );
    await must(
      url,
      "mutation($input: SetStockLevelInput!) { setStockLevel(input: $input) { product { id } } }",
      { input: { productId: createProduct.id, onHand: samples + 10 } },
      adminToken,
    );

    target.log(`registering ${samples + 2} customers with an address and a full cart (not measured) ...`);
    const customers: string[] = [];
    for (let i = 0; i < samples + 2; i++) {
      const { register } = await must<{ register: { accessToken: string } }>(
        url,
        "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
        { input: { email: `bench-${randomUUID()}@example.com`, password: "correct horse battery", name: "Bench" } },
      );
      const token = register.accessToken;
      await must(
        url,
        "mutation($input: AddressInput!) { addAddress(input: $input) { id } }",
        { input: { recipientName: "Bench", line1: "Hauptstr. 1", city: "Berlin", postalCode: "10115", countryCode: "DE" } },
        token,
      );
      await must(url, "mutation($id: ID!) { addToCart(productId: $id, quantity: 1) { itemCount } }", { id: createProduct.id }, token);
      customers.push(token);
    }

    const figures = {
      checkout: [] as number[],
      placedToPayable: [] as number[],
      pay: [] as number[],
      paidToOrderPaid: [] as number[],
      total: [] as number[],
    };
    // the first two journeys warm up connections, JIT and consumer fetches; they are not counted
    for (const [index, token] of customers.entries()) {
      const started = performance.now();
      const { checkout } = await must<{ checkout: { id: string } }>(
        url,
        "mutation($input: CheckoutInput!) { checkout(input: $input) { id } }",
        { input: { idempotencyKey: randomUUID() } },
        token,
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
        const { body } = await graphqlRequest<{ payOrder: { payment: { status: string } } }>(
          url,
          "mutation($input: PayOrderInput!) { payOrder(input: $input) { payment { status } } }",
          { input: payInput },
          { authorization: `Bearer ${token}` },
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
        const { order } = await must<{ order: { status: string } }>(
          url,
          "query($id: ID!) { order(id: $id) { status } }",
          { id: checkout.id },
          token,
        );
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
