import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import {
  createEventConsumer,
  createOutboxRelay,
  DLQ_HEADERS,
  deadLetterTopic,
  type EventBus,
  type EventConsumer,
  enqueueEvent,
  type IncomingMessage,
  ORDER_TOPIC,
  type OutboxRelay,
  parseEnvelope,
  silentLogger,
} from "../src/index.ts";
import { createTestDatabase, orderDelivered, orderPlaced, type TestDatabase, uniqueName, waitFor, writeNote } from "./helpers.ts";

const logger = silentLogger();

interface Scenario {
  run: string;
  bus: EventBus;
  database: TestDatabase;
  relay(options?: { batchSize?: number }): OutboxRelay;
  /** Collects every raw message of the topics under a fresh group. */
  collect(topics: string[]): Promise<IncomingMessage[]>;
  track<T extends EventConsumer>(consumer: T): Promise<T>;
}

/** Runs `body` with a fresh database, bus (unique topics on Kafka) and clean-up of everything it started. */
async function scenario(makeBus: (run: string) => EventBus, body: (s: Scenario) => Promise<void>): Promise<void> {
  const run = uniqueName("events");
  const database = await createTestDatabase();
  const bus = makeBus(run);
  const relays: OutboxRelay[] = [];
  const consumers: EventConsumer[] = [];
  const subscriptions: { close(): Promise<void> }[] = [];
  try {
    await body({
      run,
      bus,
      database,
      relay: ({ batchSize } = {}) => {
        const relay = createOutboxRelay({
          db: database.db,
          bus,
          logger,
          pollIntervalMs: 100,
          batchSize,
          backoff: { initialMs: 100, maxMs: 1_000 },
        });
        relays.push(relay);
        return relay;
      },
      collect: async (topics) => {
        const seen: IncomingMessage[] = [];
        await bus.ensureTopics(topics);
        subscriptions.push(
          await bus.subscribe({
            groupId: `${run}-collector-${randomUUID().slice(0, 4)}`,
            topics,
            handle: async (message) => void seen.push(message),
          }),
        );
        return seen;
      },
      track: async (consumer) => {
        consumers.push(consumer);
        await consumer.start();
        return consumer;
      },
    });
  } finally {
    await Promise.allSettled(relays.map((relay) => relay.stop()));
    await Promise.allSettled([
      ...consumers.map((consumer) => consumer.stop()),
      ...subscriptions.map((subscription) => subscription.close()),
    ]);
    await bus.close();
    await database.drop();
  }
}

async function notes(
  database: TestDatabase,
  where = "true",
  ...values: unknown[]
): Promise<{ consumer_group: string; event_id: string; order_id: string }[]> {
  return database.query(`SELECT consumer_group, event_id::text, order_id::text FROM order_note WHERE ${where} ORDER BY seq`, ...values);
}

async function count(database: TestDatabase, sql: string, ...values: unknown[]): Promise<number> {
  const [row] = await database.query<{ n: number }>(`SELECT (${sql})::int AS n`, ...values);
  return row?.n ?? -1;
}

/**
 * The semantics every EventBus adapter must have, end to end through outbox, relay and idempotent consumer.
 * `skip` (a reason) skips each test, so they are still counted one by one.
 */
export function busSemantics(makeBus: (run: string) => EventBus, options: { skip?: string | false } = {}): void {
  test("an event committed with a state change reaches every group; the effect commits with processed_event", options, () =>
    scenario(makeBus, async ({ run, bus, database, relay, track }) => {
      const outbox = relay();
      outbox.start();
      for (const group of ["inventory", "notifications"]) {
        const groupId = `${run}-${group}`;
        await track(
          createEventConsumer({
            bus,
            groupId,
            db: database.db,
            logger,
            handlers: { "order.placed.v1": async (event, tx) => writeNote(tx, groupId, event) },
          }),
        );
      }
      const event = orderPlaced();
      await database.db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO shop_order (id, status) VALUES ($1::uuid, 'placed')`, event.data.orderId);
        await enqueueEvent(tx, event);
      });
      outbox.notify();

      await waitFor("both groups handled the event", async () => (await notes(database)).length === 2);
      const handled = await notes(database);
      assert.deepEqual(handled.map((note) => note.consumer_group).sort(), [`${run}-inventory`, `${run}-notifications`]);
      assert.ok(handled.every((note) => note.event_id === event.id));
      // same xmin = written by the same transaction
      const sameTransaction = await database.query<{ same: boolean }>(
        `SELECT n.xmin::text = p.xmin::text AS same FROM order_note n JOIN processed_event p ON p.event_id = n.event_id AND p.consumer_group = n.consumer_group`,
      );
      assert.deepEqual(
        sameTransaction.map((row) => row.same),
        [true, true],
      );
      assert.equal(await outbox.pending(), 0);
      assert.equal(
        await count(database, `SELECT count(*) FROM outbox_event WHERE published_at IS NOT NULL AND id = $1::uuid`, event.id),
        1,
      );
    }),
  );

  test("the same event delivered three times has one effect", options, () =>
    scenario(makeBus, async ({ run, bus, database, relay, track }) => {
      const groupId = `${run}-billing`;
      let calls = 0;
      await track(
        createEventConsumer({
          bus,
          groupId,
          db: database.db,
          logger,
          handlers: {
            "order.placed.v1": async (event, tx) => {
              calls += 1;
              await writeNote(tx, groupId, event);
            },
          },
        }),
      );
      const event = orderPlaced();
      const sentinel = orderPlaced(event.data.orderId);
      await database.db.$transaction((tx) => enqueueEvent(tx, event));
      assert.equal(await relay().flush(), 1);
      // what a relay re-sending after a lost acknowledgement looks like
      const duplicate = { topic: ORDER_TOPIC, key: event.data.orderId, value: JSON.stringify(event) };
      await bus.publish([duplicate, duplicate]);
      await database.db.$transaction((tx) => enqueueEvent(tx, sentinel));
      await relay().flush();

      await waitFor(
        "the event after the duplicates was handled",
        async () => (await notes(database, "event_id = $1::uuid", sentinel.id)).length === 1,
      );
      assert.equal((await notes(database, "event_id = $1::uuid", event.id)).length, 1);
      assert.equal(calls, 2);
      assert.equal(await count(database, `SELECT count(*) FROM processed_event WHERE consumer_group = $1`, groupId), 2);
    }),
  );

  test("malformed messages go to <topic>.dlq with the reason; the consumer carries on; unhandled types are skipped", options, () =>
    scenario(makeBus, async ({ run, bus, database, track, collect }) => {
      const groupId = `${run}-reservations`;
      await track(
        createEventConsumer({
          bus,
          groupId,
          db: database.db,
          logger,
          handlers: { "order.placed.v1": async (event, tx) => writeNote(tx, groupId, event) },
        }),
      );
      const deadLetters = await collect([deadLetterTopic(ORDER_TOPIC)]);
      const orderId = randomUUID();
      const good = orderPlaced(orderId);
      const badData = { ...orderPlaced(orderId), data: { ...good.data, items: [] } };
      const unknownType = { ...orderPlaced(orderId), type: "order.teleported.v1" };
      const notAnEnvelope = { orderId, hello: "world" };
      const send = (value: string) => ({ topic: ORDER_TOPIC, key: orderId, value });
      await bus.publish([
        send("{ this is not json"),
        send(JSON.stringify(notAnEnvelope)),
        send(JSON.stringify(unknownType)),
        send(JSON.stringify(badData)),
        send(JSON.stringify(orderDelivered(orderId))),
        send(JSON.stringify(good)),
      ]);

      await waitFor(
        "the good event after the bad ones was handled",
        async () => (await notes(database, "event_id = $1::uuid", good.id)).length === 1,
      );
      await waitFor("four dead letters", () => deadLetters.length === 4);
      const reasons = deadLetters.map((message) => message.headers[DLQ_HEADERS.reason] ?? "");
      assert.match(reasons[0] ?? "", /not JSON/);
      assert.match(reasons[1] ?? "", /not a CloudEvents 1\.0 envelope/);
      assert.match(reasons[2] ?? "", /unknown event type "order\.teleported\.v1"/);
      assert.match(reasons[3] ?? "", /data does not match order\.placed\.v1: items/);
      for (const message of deadLetters) {
        assert.equal(message.topic, deadLetterTopic(ORDER_TOPIC));
        assert.equal(message.key, orderId);
        assert.equal(message.headers[DLQ_HEADERS.consumerGroup], groupId);
        assert.equal(message.headers[DLQ_HEADERS.originalTopic], ORDER_TOPIC);
        assert.match(message.headers[DLQ_HEADERS.originalPartition] ?? "", /^\d+$/);
        assert.match(message.headers[DLQ_HEADERS.originalOffset] ?? "", /^\d+$/);
      }
      assert.equal(deadLetters[0]?.value, "{ this is not json");
      assert.equal(await count(database, `SELECT count(*) FROM order_note`), 1);
      assert.equal(await count(database, `SELECT count(*) FROM processed_event`), 1);
    }),
  );

  test("a handler failing twice then succeeding is retried and has one effect; one failing for good is dead-lettered", options, () =>
    scenario(makeBus, async ({ run, bus, database, relay, track, collect }) => {
      const groupId = `${run}-payments`;
      const orderId = randomUUID();
      const flaky = orderPlaced(orderId, 1);
      const broken = orderPlaced(orderId, 2);
      const after = orderPlaced(orderId, 3);
      const attempts = new Map<string, number[]>();
      await track(
        createEventConsumer({
          bus,
          groupId,
          db: database.db,
          logger,
          maxAttempts: 3,
          backoff: { initialMs: 20, maxMs: 100 },
          handlers: {
            "order.placed.v1": async (event, tx, { attempt }) => {
              attempts.set(event.id, [...(attempts.get(event.id) ?? []), attempt]);
              // written first, so a failure must roll it back
              await writeNote(tx, groupId, event);
              if (event.id === broken.id) throw new Error("payment provider said no");
              if (event.id === flaky.id && attempt < 3) throw new Error("deadlock detected");
            },
          },
        }),
      );
      const deadLetters = await collect([deadLetterTopic(ORDER_TOPIC)]);
      await database.db.$transaction(async (tx) => {
        await enqueueEvent(tx, flaky);
        await enqueueEvent(tx, broken);
        await enqueueEvent(tx, after);
      });
      await relay().flush();

      await waitFor(
        "the event after the failing one was handled",
        async () => (await notes(database, "event_id = $1::uuid", after.id)).length === 1,
      );
      assert.deepEqual(attempts.get(flaky.id), [1, 2, 3]);
      assert.deepEqual(attempts.get(broken.id), [1, 2, 3]);
      assert.equal((await notes(database, "event_id = $1::uuid", flaky.id)).length, 1);
      assert.equal((await notes(database, "event_id = $1::uuid", broken.id)).length, 0);
      assert.equal(await count(database, `SELECT count(*) FROM processed_event WHERE event_id = $1::uuid`, broken.id), 0);
      await waitFor("the failing event was dead-lettered", () => deadLetters.length === 1);
      assert.equal(parseEnvelope(deadLetters[0]?.value ?? "").id, broken.id);
      assert.match(deadLetters[0]?.headers[DLQ_HEADERS.reason] ?? "", /failed 3 times; last error: payment provider said no/);
      assert.equal(deadLetters[0]?.headers[DLQ_HEADERS.attempts], "3");
    }),
  );

  test("200 events over 5 orders are handled in order per order", options, () =>
    scenario(makeBus, async ({ run, bus, database, relay, track }) => {
      const groupId = `${run}-fulfilment`;
      await track(
        createEventConsumer({
          bus,
          groupId,
          db: database.db,
          logger,
          handlers: { "order.placed.v1": async (event, tx) => writeNote(tx, groupId, event) },
        }),
      );
      const orders = Array.from({ length: 5 }, () => randomUUID());
      const sent = new Map<string, string[]>(orders.map((orderId) => [orderId, []]));
      for (let batch = 0; batch < 20; batch++) {
        await database.db.$transaction(async (tx) => {
          for (let i = 0; i < 10; i++) {
            const orderId = orders[(batch * 10 + i * 3) % orders.length] as string;
            const event = orderPlaced(orderId, batch * 10 + i + 1);
            await enqueueEvent(tx, event);
            sent.get(orderId)?.push(event.id);
          }
        });
      }
      assert.equal(await relay({ batchSize: 30 }).flush(), 200);

      await waitFor("200 events handled", async () => (await count(database, `SELECT count(*) FROM order_note`)) === 200, 30_000);
      for (const orderId of orders) {
        const handled = (await notes(database, "order_id = $1::uuid", orderId)).map((note) => note.event_id);
        assert.deepEqual(handled, sent.get(orderId), `order ${orderId} handled out of order`);
      }
    }),
  );

  test("an event enqueued in a rolled-back transaction is never published", options, () =>
    scenario(makeBus, async ({ run, bus, database, relay, track, collect }) => {
      const groupId = `${run}-audit`;
      await track(
        createEventConsumer({
          bus,
          groupId,
          db: database.db,
          logger,
          handlers: { "order.placed.v1": async (event, tx) => writeNote(tx, groupId, event) },
        }),
      );
      const onTheWire = await collect([ORDER_TOPIC]);
      const rolledBack = orderPlaced();
      const committed = orderPlaced();
      await assert.rejects(
        database.db.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`INSERT INTO shop_order (id, status) VALUES ($1::uuid, 'placed')`, rolledBack.data.orderId);
          await enqueueEvent(tx, rolledBack);
          throw new Error("out of stock");
        }),
        /out of stock/,
      );
      await database.db.$transaction((tx) => enqueueEvent(tx, committed));
      assert.equal(await relay().flush(), 1);

      await waitFor(
        "the committed event was handled",
        async () => (await notes(database, "event_id = $1::uuid", committed.id)).length === 1,
      );
      await waitFor("the committed event was seen on the topic", () => onTheWire.length === 1);
      assert.equal(parseEnvelope(onTheWire[0]?.value ?? "").id, committed.id);
      assert.equal(await count(database, `SELECT count(*) FROM outbox_event WHERE id = $1::uuid`, rolledBack.id), 0);
      assert.equal(await count(database, `SELECT count(*) FROM order_note WHERE event_id = $1::uuid`, rolledBack.id), 0);
    }),
  );

  test("two relays on one database publish each event once, in order per key", options, () =>
    scenario(makeBus, async ({ database, relay, collect }) => {
      const onTheWire = await collect([ORDER_TOPIC]);
      const first = relay({ batchSize: 7 });
      const second = relay({ batchSize: 7 });
      first.start();
      second.start();
      const orders = Array.from({ length: 4 }, () => randomUUID());
      const sent = new Map<string, string[]>(orders.map((orderId) => [orderId, []]));
      for (let i = 0; i < 60; i++) {
        const orderId = orders[i % orders.length] as string;
        const event = orderPlaced(orderId, i + 1);
        await database.db.$transaction((tx) => enqueueEvent(tx, event));
        sent.get(orderId)?.push(event.id);
        (i % 2 === 0 ? first : second).notify();
      }

      await waitFor("60 messages on the topic", () => onTheWire.length >= 60);
      await waitFor("nothing pending", async () => (await first.pending()) === 0);
      assert.equal(onTheWire.length, 60);
      for (const orderId of orders) {
        const seen = onTheWire.filter((message) => message.key === orderId).map((message) => parseEnvelope(message.value).id);
        assert.deepEqual(seen, sent.get(orderId));
      }
      for (const message of onTheWire) assert.equal(message.headers["content-type"], "application/cloudevents+json; charset=UTF-8");
    }),
  );
}
