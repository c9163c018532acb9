import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEventConsumer, createInProcessBus, deadLetterTopic, type IncomingMessage, ORDER_TOPIC, silentLogger } from "../src/index.ts";
import { createTestDatabase, orderPlaced, type TestDb, waitFor, writeNote } from "./helpers.ts";
import { busSemantics } from "./semantics.ts";

describe("in-process bus: outbox → bus → idempotent consumer", () => {
  busSemantics(() => createInProcessBus({ redeliveryBackoff: { initialMs: 10, maxMs: 50 } }));
});

describe("in-process bus", () => {
  test("within a group each message is handled by one member; every group gets every message", async () => {
    const bus = createInProcessBus({ partitions: 4 });
    const seen = { a1: [] as string[], a2: [] as string[], b: [] as string[] };
    const subscriptions = await Promise.all([
      bus.subscribe({ groupId: "a", topics: ["t"], handle: async (m) => void seen.a1.push(m.value) }),
      bus.subscribe({ groupId: "a", topics: ["t"], handle: async (m) => void seen.a2.push(m.value) }),
      bus.subscribe({ groupId: "b", topics: ["t"], handle: async (m) => void seen.b.push(m.value) }),
    ]);
    const values = Array.from({ length: 40 }, (_, i) => String(i));
    await bus.publish(values.map((value, i) => ({ topic: "t", key: `k${i % 8}`, value })));
    await waitFor("all delivered", () => seen.a1.length + seen.a2.length === 40 && seen.b.length === 40);
    assert.deepEqual([...seen.a1, ...seen.a2].sort(), [...values].sort());
    assert.ok(seen.a1.length > 0 && seen.a2.length > 0, "partitions are spread over the group's members");
    await Promise.all(subscriptions.map((s) => s.close()));
    await bus.close();
  });

  test("a key's next message waits for the handler; a rejected message is delivered again before it", async () => {
    const bus = createInProcessBus({ partitions: 2, redeliveryBackoff: { initialMs: 5, maxMs: 5 } });
    const handled: string[] = [];
    let failures = 0;
    let inFlight = 0;
    const subscription = await bus.subscribe({
      groupId: "g",
      topics: ["t"],
      handle: async (message: IncomingMessage) => {
        inFlight += 1;
        assert.equal(inFlight, 1, "one message of a partition at a time");
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight -= 1;
        if (message.value === "2" && failures++ < 2) throw new Error("try again");
        handled.push(message.value);
      },
    });
    await bus.publish(["1", "2", "3", "4"].map((value) => ({ topic: "t", key: "same-order", value })));
    await waitFor("all handled", () => handled.length === 4);
    assert.deepEqual(handled, ["1", "2", "3", "4"]);
    assert.equal(failures, 3);
    await subscription.close();
    await bus.close();
  });

  test("fromBeginning: false starts at the end; a group resubscribing resumes where it left off", async () => {
    const bus = createInProcessBus();
    await bus.publish([{ topic: "t", key: "k", value: "old" }]);
    const late: string[] = [];
    const first = await bus.subscribe({
      groupId: "late",
      topics: ["t"],
      fromBeginning: false,
      handle: async (m) => void late.push(m.value),
    });
    await bus.publish([{ topic: "t", key: "k", value: "new" }]);
    await waitFor("new delivered", () => late.length === 1);
    await first.close();
    await bus.publish([{ topic: "t", key: "k", value: "while away" }]);
    const second = await bus.subscribe({ groupId: "late", topics: ["t"], handle: async (m) => void late.push(m.value) });
    await waitFor("resumed", () => late.length === 2);
    assert.deepEqual(late, ["new", "while away"]);
    await second.close();
    await bus.close();
  });
});

describe("in-process bus health", () => {
  test("is always healthy (nothing to reach); a consumer's subscription is consuming from start until stop", async () => {
    const bus = createInProcessBus();
    const database = await createTestDatabase();
    const consumer = createEventConsumer({
      bus,
      groupId: "health",
      db: database.db,
      logger: silentLogger(),
      handlers: { "order.placed.v1": async (event, tx) => writeNote(tx, "health", event) },
    });
    try {
      assert.equal(bus.transport, "in-process");
      assert.deepEqual(await bus.health(), { ok: true });
      assert.equal(consumer.status().state, "closed", "not started yet");
      await consumer.start();
      assert.equal(consumer.status().state, "consuming");
      await consumer.stop();
      assert.equal(consumer.status().state, "closed");
    } finally {
      await consumer.stop();
      await bus.close();
      await database.drop();
    }
  });
});

describe("event consumer on the in-process bus", () => {
  test("a database that fails around the handler is retried without limit, never dead-lettered", async () => {
    const database = await createTestDatabase();
    const bus = createInProcessBus({ redeliveryBackoff: { initialMs: 5, maxMs: 20 } });
    let outages = 0;
    // fails to begin a transaction 6 times: more than maxAttempts
    const flakyDb: TestDb = {
      ...database.db,
      $transaction: (fn, options) =>
        outages++ < 6 ? Promise.reject(new Error("connection refused")) : database.db.$transaction(fn, options),
    };
    const consumer = createEventConsumer({
      bus,
      groupId: "g",
      db: flakyDb,
      logger: silentLogger(),
      maxAttempts: 2,
      backoff: { initialMs: 5, maxMs: 20 },
      handlers: { "order.placed.v1": async (event, tx) => writeNote(tx, "g", event) },
    });
    const deadLetters: IncomingMessage[] = [];
    try {
      await consumer.start();
      await bus.subscribe({ groupId: "dlq", topics: [deadLetterTopic(ORDER_TOPIC)], handle: async (m) => void deadLetters.push(m) });
      const event = orderPlaced();
      await bus.publish([{ topic: ORDER_TOPIC, key: event.data.orderId, value: JSON.stringify(event) }]);
      await waitFor("handled once the database is back", async () => (await database.query(`SELECT 1 FROM order_note`)).length === 1);
      assert.equal(deadLetters.length, 0);
      assert.ok(outages > 6);
    } finally {
      await consumer.stop();
      await bus.close();
      await database.drop();
    }
  });

  test("calls afterCommit once per handled event, after its transaction committed, and not for a duplicate", async () => {
    const database = await createTestDatabase();
    const bus = createInProcessBus();
    // per call: which call it was, and how many notes were committed when it ran (read from outside the transaction)
    const calls: { call: number; committed: number }[] = [];
    let callCount = 0;
    const consumer = createEventConsumer({
      bus,
      groupId: "g",
      db: database.db,
      logger: silentLogger(),
      handlers: { "order.placed.v1": async (event, tx) => writeNote(tx, "g", event) },
      afterCommit: () => {
        const call = ++callCount;
        void database.query("SELECT 1 FROM order_note").then((rows) => calls.push({ call, committed: rows.length }));
      },
    });
    try {
      await consumer.start();
      const first = orderPlaced();
      const second = orderPlaced();
      const message = (event: typeof first) => ({ topic: ORDER_TOPIC, key: event.data.orderId, value: JSON.stringify(event) });
      await bus.publish([message(first), message(first), message(second)]);
      await waitFor("both events handled", async () => (await database.query("SELECT 1 FROM order_note")).length === 2);
      await waitFor("both hooks observed", async () => calls.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(callCount, 2, "the duplicate was not handled, so no hook ran for it");
      for (const { call, committed } of calls) assert.ok(committed >= call, `hook ${call} ran before its commit (${committed} notes)`);
    } finally {
      await consumer.stop();
      await bus.close();
      await database.drop();
    }
  });
});
