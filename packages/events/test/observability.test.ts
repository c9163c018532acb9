// Metrics and traces of the event pipeline, on real PostgreSQL and on both buses (Kafka when KAFKA_BROKERS is set).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  context,
  metricsText,
  recordSpansInMemory,
  SpanKind,
  type SpanRecorder,
  sampleValue,
  trace,
  tracerFor,
} from "@storefront/telemetry";
import {
  createEvent,
  createEventConsumer,
  createInProcessBus,
  createKafkaBus,
  createOutboxRelay,
  type EventBus,
  enqueueEvent,
  ORDER_TOPIC,
  PAYMENT_TOPIC,
  parseEnvelope,
  serializeEvent,
  silentLogger,
} from "../src/index.ts";
import { createTestDatabase, orderPlaced, type TestDatabase, uniqueName, waitFor, writeNote } from "./helpers.ts";

const logger = silentLogger();
const scrape = (name: string, labels: Record<string, string>) => metricsText().then((text) => sampleValue(text, name, labels));

describe("trace context in the CloudEvents envelope", () => {
  it("an event created inside a span carries the span's traceparent; one created outside any span carries none", () => {
    assert.equal("traceparent" in orderPlaced(), false);
    const span = tracerFor("orders").startSpan("mutation Checkout");
    const event = context.with(trace.setSpan(context.active(), span), () => orderPlaced());
    span.end();
    const { traceId, spanId } = span.spanContext();
    assert.match(event.traceparent ?? "", new RegExp(`^00-${traceId}-${spanId}-0[01]$`));
    assert.equal(parseEnvelope(serializeEvent(event)).traceparent, event.traceparent, "it survives the wire");
  });

  it("a broken traceparent is dropped when the event is read: the event keeps its place, only its trace is lost", () => {
    const event = { ...orderPlaced(), traceparent: "00-not-a-trace-01", tracestate: "x".repeat(600) };
    const read = parseEnvelope(serializeEvent(event));
    assert.equal(read.id, event.id);
    assert.equal("traceparent" in read, false);
    assert.equal("tracestate" in read, false);
  });
});

describe("event metrics", () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(() => database?.drop());

  it("shows what waits in the outbox and how old the oldest is while the bus refuses, and 0 once it is published", async () => {
    const service = uniqueName("outbox");
    await database.db.$transaction(async (tx) => {
      for (let i = 0; i < 3; i++) await enqueueEvent(tx, orderPlaced());
    });
    await database.query(`UPDATE outbox_event SET created_at = now() - interval '30 seconds' WHERE published_at IS NULL`);
    const down = createInProcessBus();
    await down.close(); // a closed bus refuses every publish, as a broker that is down does
    const stalled = createOutboxRelay({
      db: database.db,
      bus: down,
      logger,
      service,
      pollIntervalMs: 20,
      backoff: { initialMs: 20, maxMs: 50 },
    });
    stalled.start();
    try {
      await waitFor("a failed publish", async () => ((await scrape("outbox_publish_failures_total", { service })) ?? 0) >= 1);
      assert.equal(await scrape("outbox_pending_events", { service }), 3);
      assert.ok(((await scrape("outbox_oldest_pending_age_seconds", { service })) ?? 0) >= 30, "the oldest row is 30 s old");
    } finally {
      await stalled.stop();
    }

    const bus = createInProcessBus();
    const relay = createOutboxRelay({ db: database.db, bus, logger, service, pollIntervalMs: 20 });
    relay.start();
    try {
      await waitFor("the outbox drained", async () => (await scrape("outbox_pending_events", { service })) === 0);
      assert.equal(await scrape("outbox_oldest_pending_age_seconds", { service }), 0);
      assert.equal(await scrape("outbox_events_published_total", { service }), 3);
    } finally {
      await relay.stop();
      await bus.close();
    }
    assert.equal(await scrape("outbox_pending_events", { service }), undefined, "a stopped relay is no longer read");
  });

  it("counts retries, and dead letters by reason: a handler failing every try, a malformed message", async () => {
    const groupId = uniqueName("failing");
    const bus = createInProcessBus();
    const consumer = createEventConsumer({
      bus,
      groupId,
      db: database.db,
      logger,
      maxAttempts: 3,
      backoff: { initialMs: 1, maxMs: 2 },
      handlers: {
        "order.placed.v1": async () => {
          throw new Error("inventory is confused");
        },
      },
    });
    const event = orderPlaced();
    await consumer.handleMessage({
      topic: ORDER_TOPIC,
      key: event.data.orderId,
      value: JSON.stringify(event),
      headers: {},
      partition: 0,
      offset: "0",
    });
    await consumer.handleMessage({ topic: ORDER_TOPIC, key: null, value: "{ not json", headers: {}, partition: 0, offset: "1" });
    assert.equal(await scrape("event_handler_retries_total", { group: groupId, type: "order.placed.v1" }), 2, "tries 1 and 2 are retried");
    assert.equal(await scrape("event_dead_letters_total", { group: groupId, topic: ORDER_TOPIC, reason: "exhausted" }), 1);
    assert.equal(await scrape("event_dead_letters_total", { group: groupId, topic: ORDER_TOPIC, reason: "malformed" }), 1);
    await bus.close();
  });

  it("counts handled events and duplicates", async () => {
    const groupId = uniqueName("notes");
    const bus = createInProcessBus();
    const consumer = createEventConsumer({
      bus,
      groupId,
      db: database.db,
      logger,
      handlers: { "order.placed.v1": (placed, tx) => writeNote(tx, groupId, placed) },
    });
    const event = orderPlaced();
    const message = { topic: ORDER_TOPIC, key: event.data.orderId, value: JSON.stringify(event), headers: {}, partition: 0, offset: "0" };
    await consumer.handleMessage(message);
    await consumer.handleMessage({ ...message, offset: "1" });
    assert.equal(await scrape("event_handled_total", { group: groupId, type: "order.placed.v1", outcome: "handled" }), 1);
    assert.equal(await scrape("event_handled_total", { group: groupId, type: "order.placed.v1", outcome: "duplicate" }), 1);
    assert.equal(await scrape("event_handler_duration_seconds_count", { group: groupId, type: "order.placed.v1" }), 2);
    await bus.close();
  });
});

/** Consumer lag on one bus: a handler held up makes the group fall behind; released, it catches up. */
function lagSpecification(name: string, makeBus: (run: string) => EventBus) {
  it(`${name}: the lag gauge counts the messages a group has not handled yet, per partition`, async () => {
    const run = uniqueName("lag");
    const database = await createTestDatabase();
    const bus = makeBus(run);
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const orderId = randomUUID();
    const consumer = createEventConsumer({
      bus,
      groupId: `${run}-inventory`,
      db: database.db,
      logger,
      handlers: {
        "order.placed.v1": async (event, tx) => {
          await released;
          await writeNote(tx, "inventory", event);
        },
      },
    });
    try {
      await consumer.start();
      await bus.publish(
        Array.from({ length: 3 }, () => ({ topic: ORDER_TOPIC, key: orderId, value: JSON.stringify(orderPlaced(orderId)) })),
      );
      const total = async () => {
        const text = await metricsText();
        return [0, 1, 2, 3].reduce(
          (sum, partition) =>
            sum +
            (sampleValue(text, "event_consumer_lag_messages", {
              group: `${run}-inventory`,
              topic: ORDER_TOPIC,
              partition: String(partition),
            }) ?? 0),
          0,
        );
      };
      await waitFor("3 messages behind (one in the handler's hands)", async () => (await total()) === 3);
      release();
      await waitFor("caught up", async () => (await total()) === 0, 30_000);
    } finally {
      release();
      await consumer.stop();
      await bus.close();
      await database.drop();
    }
  });
}

describe("consumer lag", () => {
  lagSpecification("in-process bus", () => createInProcessBus());
  if (process.env.KAFKA_BROKERS) {
    const brokers = process.env.KAFKA_BROKERS.split(",");
    lagSpecification("Kafka", (run) => createKafkaBus({ brokers, clientId: run, topicPrefix: `${run}.`, logger }));
  }
});

/**
 * One trace through the pipeline: a request's span writes order.placed to the outbox; the relay publishes it; the
 * consumer's handler writes payment.captured; the relay publishes that; its consumer handles it. Every span, and the
 * trace context in each event, belongs to the request's trace.
 */
function traceSpecification(name: string, makeBus: (run: string) => EventBus) {
  it(`${name}: a request's trace goes through the outbox, the bus and the consumers, to the events they write`, async () => {
    const run = uniqueName("trace");
    const database = await createTestDatabase();
    const bus = makeBus(run);
    const relay = createOutboxRelay({ db: database.db, bus, logger, service: "orders", pollIntervalMs: 50 });
    const handledByPayments: string[] = [];
    const payments = createEventConsumer({
      bus,
      groupId: `${run}-payments`,
      service: "payments",
      db: database.db,
      logger,
      handlers: {
        "order.placed.v1": async (placed, tx) => {
          const captured = createEvent({
            type: "payment.captured.v1",
            source: "/storefront/payments",
            data: {
              paymentId: randomUUID(),
              orderId: placed.data.orderId,
              amount: placed.data.total,
              capturedAt: new Date().toISOString(),
            },
          });
          await enqueueEvent(tx, captured);
          handledByPayments.push(captured.id);
        },
      },
      afterCommit: () => relay.notify(),
    });
    const paidOrders: string[] = [];
    const orders = createEventConsumer({
      bus,
      groupId: `${run}-orders`,
      service: "orders",
      db: database.db,
      logger,
      handlers: { "payment.captured.v1": async (captured) => void paidOrders.push(captured.data.orderId) },
    });
    try {
      await bus.ensureTopics([ORDER_TOPIC, PAYMENT_TOPIC]);
      await payments.start();
      await orders.start();
      relay.start();
      const placed = orderPlaced();
      const checkout = tracerFor("orders").startSpan("mutation Checkout", { kind: SpanKind.SERVER });
      const traceId = checkout.spanContext().traceId;
      await context.with(trace.setSpan(context.active(), checkout), () =>
        database.db.$transaction(async (tx) => {
          // created inside the request's span, like a resolver does
          await enqueueEvent(tx, createEvent({ type: "order.placed.v1", source: "/storefront/orders", data: placed.data }));
        }),
      );
      checkout.end();
      relay.notify();
      await waitFor("the order paid", () => paidOrders.includes(placed.data.orderId), 30_000);

      const rows = await database.query<{ type: string; traceparent: string }>(
        `SELECT type, payload->>'traceparent' AS traceparent FROM outbox_event ORDER BY seq`,
      );
      assert.deepEqual(
        rows.map((row) => [row.type, row.traceparent.split("-")[1]]),
        [
          ["order.placed.v1", traceId],
          ["payment.captured.v1", traceId],
        ],
        "each outbox row carries the trace its event was created in (CloudEvents traceparent)",
      );
      await waitFor("the orders consumer span ended", () =>
        recorder.spans().some((span) => span.name === `process ${PAYMENT_TOPIC}` && span.spanContext().traceId === traceId),
      );
      const spans = recorder.spans().filter((span) => span.spanContext().traceId === traceId);
      const byName = (spanName: string) => spans.find((span) => span.name === spanName);
      const publishPlaced = byName(`publish ${ORDER_TOPIC}`);
      const processPlaced = byName(`process ${ORDER_TOPIC}`);
      const publishCaptured = byName(`publish ${PAYMENT_TOPIC}`);
      const processCaptured = byName(`process ${PAYMENT_TOPIC}`);
      assert.equal(publishPlaced?.parentSpanContext?.spanId, checkout.spanContext().spanId, "published below the request");
      assert.equal(publishPlaced?.kind, SpanKind.PRODUCER);
      assert.equal(processPlaced?.parentSpanContext?.spanId, publishPlaced?.spanContext().spanId, "consumed below the publish");
      assert.equal(processPlaced?.kind, SpanKind.CONSUMER);
      assert.equal(processPlaced?.resource.attributes["service.name"], "payments");
      assert.equal(publishCaptured?.parentSpanContext?.spanId, processPlaced?.spanContext().spanId, "the consumer's event follows");
      assert.equal(processCaptured?.parentSpanContext?.spanId, publishCaptured?.spanContext().spanId);
      assert.equal(processCaptured?.resource.attributes["service.name"], "orders");
      assert.equal(handledByPayments.length, 1);
    } finally {
      await relay.stop();
      await Promise.allSettled([payments.stop(), orders.stop()]);
      await bus.close();
      await database.drop();
    }
  });
}

let recorder: SpanRecorder;
describe("event traces", () => {
  before(() => {
    recorder = recordSpansInMemory();
  });
  after(() => recorder.stop());
  traceSpecification("in-process bus", () => createInProcessBus());
  if (process.env.KAFKA_BROKERS) {
    const brokers = process.env.KAFKA_BROKERS.split(",");
    traceSpecification("Kafka", (run) => createKafkaBus({ brokers, clientId: run, topicPrefix: `${run}.`, logger }));
  }
});
