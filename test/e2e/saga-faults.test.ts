// The order saga when Kafka misbehaves, end to end: six subgraph processes and the router on a broker of this test's
// own, which it stops and starts again, and to which it sends a duplicate and some garbage the way a broken producer
// would. What must hold: no event is lost, none takes effect twice, and a bad message never stops a consumer.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { demoUsers } from "@storefront/demo-data";
import { DLQ_HEADERS } from "@storefront/events";
import {
  type PrivateBroker,
  privateBrokerUnavailable,
  type SupergraphProcesses,
  startPrivateBroker,
  startSupergraphProcesses,
} from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
import { type Admin, type Consumer, type IHeaders, Kafka, logLevel, Partitioners, type Producer } from "kafkajs";
import {
  aCustomerWithCart,
  aStockedProduct,
  cards,
  customersWithCart,
  eventually,
  type ShopSession,
  signIn,
  stockMovementsOf,
  stockOf,
} from "./support/shop.ts";

// a broker of its own, stopped and started, in a run on Kafka only (an embedded run starts no broker)
const needsKafka = (process.env.KAFKA_BROKERS ? false : "needs a Kafka broker (KAFKA_BROKERS)") || privateBrokerUnavailable();

/** The subgraphs whose consumer groups (named after them) read the orders topic. */
const ORDER_TOPIC_GROUPS = ["inventory", "payments", "cart"] as const;
/** How long the saga may take to catch up after the broker is back (the consumer groups wait out a session timeout). */
const RECOVERY_MS = 90_000;

/** A message as read back from the broker, with its headers as text. */
interface ReadMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string;
  readonly headers: Record<string, string>;
  /** Key, value and headers exactly as they were on the wire, to send the very same bytes again. */
  readonly raw: { readonly key: Buffer | null; readonly value: Buffer | null; readonly headers: IHeaders };
}

describe("the order saga on a failing Kafka", { skip: needsKafka, timeout: 300_000 }, () => {
  const namespace = `faults-${randomUUID().slice(0, 8)}`;
  const onWire = (topic: string) => `${namespace}.${topic}`;
  const ordersTopic = onWire("storefront.orders");
  let broker: PrivateBroker;
  let stack: SupergraphProcesses;
  let admin: ShopSession;
  let kafka: Kafka;
  let producer: Producer | undefined;
  let kafkaAdmin: Admin | undefined;
  const probes = new Set<Consumer>();

  before(async () => {
    broker = await startPrivateBroker();
    stack = await startSupergraphProcesses({
      subgraphs: ["users", "catalog", "inventory", "cart", "orders", "payments"],
      env: { KAFKA_BROKERS: broker.address, KAFKA_NAMESPACE: namespace },
    });
    const demoAdmin = demoUsers.find((user) => user.role === "ADMIN");
    assert.ok(demoAdmin);
    admin = await signIn(stack.routerUrl, demoAdmin.email, demoPasswords[demoAdmin.email] ?? "");
    kafka = new Kafka({ clientId: `${namespace}-test`, brokers: [broker.address], logLevel: logLevel.NOTHING });
  });

  after(async () => {
    await Promise.allSettled([...probes].map((probe) => probe.disconnect()));
    await Promise.allSettled([producer?.disconnect(), kafkaAdmin?.disconnect()]);
    await stack?.stop();
    await broker?.destroy();
  });

  /** The test's own producer, connected on first use (never while the broker is deliberately down). */
  async function rawProducer(): Promise<Producer> {
    if (!producer) {
      const created = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
      await created.connect();
      producer = created;
    }
    return producer;
  }

  async function adminClient(): Promise<Admin> {
    if (!kafkaAdmin) {
      const created = kafka.admin();
      await created.connect();
      kafkaAdmin = created;
    }
    return kafkaAdmin;
  }

  /** Reads a topic from its beginning with a throw-away consumer group until `enough` holds for what was read. */
  async function readTopic(topic: string, enough: (messages: readonly ReadMessage[]) => boolean, what: string): Promise<ReadMessage[]> {
    const probe = kafka.consumer({ groupId: `${namespace}.probe-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 200 });
    probes.add(probe);
    const read: ReadMessage[] = [];
    try {
      await probe.connect();
      await probe.subscribe({ topics: [topic], fromBeginning: true });
      await probe.run({
        eachMessage: async ({ partition, message }) => {
          read.push({
            partition,
            offset: message.offset,
            key: message.key?.toString("utf8") ?? null,
            value: message.value?.toString("utf8") ?? "",
            headers: headersAsText(message.headers),
            raw: { key: message.key, value: message.value, headers: message.headers ?? {} },
          });
        },
      });
      await eventually(
        async () => enough(read),
        (done) => done,
        `${what} (read ${read.length} message(s) of ${topic})`,
        30_000,
      );
      return read;
    } finally {
      await probe.disconnect();
      probes.delete(probe);
    }
  }

  /** Waits until every consumer group of the orders topic has committed offsets beyond `offset` of `partition`. */
  async function consumedPast(partition: number, offset: string): Promise<void> {
    const client = await adminClient();
    for (const group of ORDER_TOPIC_GROUPS) {
      await eventually(
        async () => {
          const [topicOffsets] = await client.fetchOffsets({ groupId: onWire(group), topics: [ordersTopic] });
          return topicOffsets?.partitions.find((each) => each.partition === partition)?.offset ?? "-1";
        },
        // the committed offset is the next one the group will read
        (committed) => BigInt(committed) > BigInt(offset),
        `consumer group ${group} reads past offset ${offset} of partition ${partition}`,
      );
    }
  }

  /** Checks out `customer`'s cart and returns the order, failing on any error. */
  async function checkout(customer: ShopSession) {
    const { body } = await customer.checkout();
    assert.deepEqual(body.errors, undefined);
    const order = body.data?.checkout;
    assert.ok(order);
    return order;
  }

  /** Units ordered of one product per order, as the stock ledger booked them, by kind. */
  async function ledgerOf(productId: string) {
    const movements = await stockMovementsOf(admin, productId);
    return (kind: string, orderId: string) => movements.filter((movement) => movement.kind === kind && movement.orderId === orderId);
  }

  it("stop the broker during checkouts, restart it: every event arrives, none twice in effect", async () => {
    const product = await aStockedProduct(admin, 20);
    const customers = await customersWithCart(stack.routerUrl, product.id, 2, 5);
    const itemsInCart = await Promise.all(customers.map((customer) => customer.cartCount()));
    assert.ok(itemsInCart.every((count) => count > 0));

    await broker.stop();
    // checkout is synchronous (stock reserved over HTTP, the order stored); order.placed waits in the orders outbox
    const orders = await Promise.all(customers.map(checkout));
    assert.deepEqual(
      orders.map((order) => [order.status, order.paymentStatus]),
      orders.map(() => ["PENDING_PAYMENT", null]),
      "placed, and payments has not heard of them",
    );
    assert.deepEqual(await stockOf(admin, product.id), { onHand: 20, reserved: 10, available: 10 }, "reserved at checkout");
    // nothing reached the consumers: payments knows no order, and the carts still hold what was ordered
    for (const [i, customer] of customers.entries()) {
      const order = orders[i];
      assert.ok(order);
      assert.equal((await customer.order(order.id)).paymentStatus, null);
      assert.equal(await customer.cartCount(), itemsInCart[i]);
    }

    await broker.restart();
    for (const [i, customer] of customers.entries()) {
      const order = orders[i];
      assert.ok(order);
      await eventually(
        () => customer.order(order.id),
        (seen) => seen.paymentStatus === "AWAITING_PAYMENT",
        `payments learns of order ${i} once the broker is back`,
        RECOVERY_MS,
      );
      await eventually(
        () => customer.cartCount(),
        (count) => count === 0,
        `cart ${i} is emptied once the broker is back`,
        RECOVERY_MS,
      );
    }
    // order.placed reaching inventory too reserves nothing more: the checkout's reservation is the order's one
    assert.deepEqual(await stockOf(admin, product.id), { onHand: 20, reserved: 10, available: 10 });

    for (const [i, customer] of customers.entries()) {
      const order = orders[i];
      assert.ok(order);
      const paid = await customer.pay(order.id, cards.approves);
      assert.equal(paid.payment.status, "CAPTURED");
      await customer.orderReaches(order.id, "PAID");
    }
    await eventually(
      () => stockOf(admin, product.id),
      (stock) => stock.onHand === 10 && stock.reserved === 0,
      "inventory commits the paid units",
    );
    const booked = await ledgerOf(product.id);
    for (const [i, customer] of customers.entries()) {
      const order = orders[i];
      assert.ok(order);
      const settled = await customer.order(order.id);
      assert.equal(settled.paymentStatus, "PAID");
      assert.deepEqual(
        settled.statusHistory.map((change) => change.to),
        ["PENDING_PAYMENT", "PAID"],
        `order ${i} was paid once`,
      );
      assert.deepEqual(
        booked("RESERVED", order.id).map((movement) => movement.quantity),
        [2],
        `order ${i} reserved once`,
      );
      assert.deepEqual(
        booked("COMMITTED", order.id).map((movement) => movement.quantity),
        [2],
        `order ${i} committed once`,
      );
    }
    assert.deepEqual(await stockOf(admin, product.id), { onHand: 10, reserved: 0, available: 10 });
  });

  it("the same event delivered twice has one effect", async () => {
    const product = await aStockedProduct(admin, 6);
    const customer = await aCustomerWithCart(stack.routerUrl, product.id, 2);
    const order = await checkout(customer);
    await customer.pay(order.id, cards.approves);
    const paid = await customer.orderReaches(order.id, "PAID");
    const settledStock = await eventually(
      () => stockOf(admin, product.id),
      (stock) => stock.onHand === 4 && stock.reserved === 0,
      "inventory commits the paid units",
    );

    const messages = await readTopic(
      ordersTopic,
      (read) => read.some((message) => isEvent(message, "order.paid.v1", order.id)),
      `order.paid.v1 of order ${order.id}`,
    );
    const original = messages.find((message) => isEvent(message, "order.paid.v1", order.id));
    assert.ok(original);
    // the same bytes again, to the same partition, as a producer retrying after a lost acknowledgement would send them
    const [sent] = await (await rawProducer()).send({
      topic: ordersTopic,
      acks: -1,
      messages: [{ partition: original.partition, ...original.raw }],
    });
    assert.ok(sent);
    assert.equal(sent.partition, original.partition);
    assert.ok(BigInt(sent.baseOffset ?? "0") > BigInt(original.offset));

    await consumedPast(original.partition, sent.baseOffset ?? "0");
    assert.deepEqual(await stockOf(admin, product.id), settledStock, "the stock is committed once");
    const booked = await ledgerOf(product.id);
    assert.deepEqual(
      booked("COMMITTED", order.id).map((movement) => movement.quantity),
      [2],
      "one COMMITTED movement",
    );
    assert.deepEqual((await customer.order(order.id)).statusHistory, paid.statusHistory, "the order's history is unchanged");
  });

  it("a malformed event lands in the DLQ and the consumer keeps going", async () => {
    const client = await adminClient();
    const { topics } = await client.fetchTopicMetadata({ topics: [ordersTopic] });
    const partitions = topics[0]?.partitions.map((each) => each.partitionId) ?? [];
    assert.ok(partitions.length > 0);
    const marker = randomUUID();
    const garbage = [JSON.stringify({ hello: "world", marker }), `not json at all ${marker}`];
    // in every partition, so whatever partition the next order's events go to, garbage comes before them there
    await (await rawProducer()).send({
      topic: ordersTopic,
      acks: -1,
      messages: partitions.flatMap((partition) => garbage.map((value) => ({ partition, key: `garbage-${marker}`, value }))),
    });

    const expected = ORDER_TOPIC_GROUPS.length * garbage.length * partitions.length;
    const read = await readTopic(
      `${ordersTopic}.dlq`,
      (messages) => messages.filter((message) => message.value.includes(marker)).length >= expected,
      `every consumer group dead-letters the garbage`,
    );
    const deadLettered = read.filter((message) => message.value.includes(marker));
    assert.equal(deadLettered.length, expected, "each group dead-letters each message once");
    for (const group of ORDER_TOPIC_GROUPS) {
      for (const value of garbage) {
        const mine = deadLettered.filter((message) => message.headers[DLQ_HEADERS.consumerGroup] === group && message.value === value);
        assert.deepEqual(
          mine.map((message) => Number(message.headers[DLQ_HEADERS.originalPartition])).sort(),
          [...partitions].sort(),
          `${group} dead-letters ${value} from every partition`,
        );
        for (const message of mine) {
          assert.equal(message.key, `garbage-${marker}`);
          assert.equal(message.headers[DLQ_HEADERS.originalTopic], "storefront.orders");
          assert.equal(message.headers[DLQ_HEADERS.attempts], "0", "not retried: it can never parse");
          assert.ok((message.headers[DLQ_HEADERS.reason] ?? "").length > 0, "says why");
        }
      }
    }

    // the consumers went on: a new order's events, behind the garbage in their partition, reach all three groups
    const product = await aStockedProduct(admin, 3);
    const customer = await aCustomerWithCart(stack.routerUrl, product.id, 1);
    const order = await checkout(customer);
    await eventually(
      () => customer.order(order.id),
      (seen) => seen.paymentStatus === "AWAITING_PAYMENT",
      "payments learns of the new order",
    );
    await eventually(
      () => customer.cartCount(),
      (count) => count === 0,
      "cart empties for the new order",
    );
    await customer.pay(order.id, cards.approves);
    await customer.orderReaches(order.id, "PAID");
    await eventually(
      () => stockOf(admin, product.id),
      (stock) => stock.onHand === 2 && stock.reserved === 0,
      "inventory commits the new order",
    );
  });
});

/** kafkajs headers (Buffers, maybe repeated) as one text value per name. */
function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) text[name] = first.toString();
  }
  return text;
}

/** True when the message is the CloudEvent of `type` about the order (structured mode: the envelope is the value). */
function isEvent(message: ReadMessage, type: string, orderId: string): boolean {
  try {
    const event = JSON.parse(message.value) as { type?: unknown; subject?: unknown; data?: { orderId?: unknown } };
    return event.type === type && (event.subject === orderId || event.data?.orderId === orderId);
  } catch {
    return false;
  }
}
