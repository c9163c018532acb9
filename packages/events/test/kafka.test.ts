import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, describe, test } from "node:test";
import { privateBrokerUnavailable, startPrivateBroker } from "../../../infra/kafka/private-broker.ts";
import { createEventConsumer, createKafkaBus, createOutboxRelay, enqueueEvent, silentLogger } from "../src/index.ts";
import { createTestDatabase, orderPlaced, uniqueName, waitFor, writeNote } from "./helpers.ts";
import { busSemantics } from "./semantics.ts";

// The run's broker (npm test starts one when it can); without it these tests skip: the in-process bus stands in for
// Kafka in memory.test.ts.
const brokers = process.env.KAFKA_BROKERS?.split(",") ?? [];
const needsKafka = brokers.length > 0 ? false : "needs a Kafka broker (KAFKA_BROKERS)";
// a broker of its own, to stop and start, only in a run on Kafka (an embedded run starts no broker)
const needsPrivateBroker = needsKafka || privateBrokerUnavailable();
const logger = silentLogger();

describe("Kafka bus: outbox → Kafka → idempotent consumer", () => {
  busSemantics((run) => createKafkaBus({ brokers, clientId: run, topicPrefix: `${run}.`, logger }), { skip: needsKafka });
});

describe("Kafka bus when the broker is away", () => {
  test("publishing to a port nobody listens on rejects instead of hanging; rows stay pending", async () => {
    const port = await closedPort();
    const database = await createTestDatabase();
    const bus = createKafkaBus({ brokers: [`127.0.0.1:${port}`], clientId: uniqueName("nobody"), logger, publishTimeoutMs: 1_500 });
    try {
      await assert.rejects(bus.publish([{ topic: "storefront.orders", key: "k", value: "{}" }]), /publish failed/);
      await database.db.$transaction(async (tx) => {
        await enqueueEvent(tx, orderPlaced());
        await enqueueEvent(tx, orderPlaced());
      });
      const relay = createOutboxRelay({ db: database.db, bus, logger, publishTimeoutMs: 3_000 });
      await assert.rejects(relay.flush());
      assert.equal(await relay.pending(), 2);
      const rows = await database.query<{ attempts: number; last_error: string | null }>(`SELECT attempts, last_error FROM outbox_event`);
      assert.ok(rows.every((row) => row.attempts === 1 && row.last_error !== null));
    } finally {
      await bus.close();
      await database.drop();
    }
  });

  test("broker stopped and started again: events wait in the outbox, then producer and consumer recover", {
    skip: needsPrivateBroker,
  }, async () => {
    const broker = await startPrivateBroker();
    after(() => broker.destroy());
    const run = uniqueName("restart");
    const groupId = `${run}-shipping`;
    const database = await createTestDatabase();
    // the group waits one session timeout for its members lost in the restart before it hands out partitions again
    const bus = createKafkaBus({ brokers: [broker.address], clientId: run, logger, publishTimeoutMs: 3_000, sessionTimeoutMs: 6_000 });
    const relay = createOutboxRelay({
      db: database.db,
      bus,
      logger,
      pollIntervalMs: 100,
      backoff: { initialMs: 200, maxMs: 1_000 },
      publishTimeoutMs: 5_000,
    });
    const consumer = createEventConsumer({
      bus,
      groupId,
      db: database.db,
      logger,
      handlers: { "order.placed.v1": async (event, tx) => writeNote(tx, groupId, event) },
    });
    const handled = async () => (await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM order_note`))[0]?.n ?? 0;
    try {
      await consumer.start();
      relay.start();
      await database.db.$transaction((tx) => enqueueEvent(tx, orderPlaced()));
      relay.notify();
      await waitFor("the first event handled", async () => (await handled()) === 1);

      await broker.stop();
      for (let i = 0; i < 20; i++) {
        await database.db.$transaction((tx) => enqueueEvent(tx, orderPlaced()));
        relay.notify();
      }
      await waitFor("the relay tried and failed", async () => {
        const [row] = await database.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL AND attempts > 0`,
        );
        return (row?.n ?? 0) > 0;
      });
      assert.equal(await relay.pending(), 20);
      assert.equal(await handled(), 1);

      await broker.restart();
      await waitFor("all events published and handled after the broker came back", async () => (await handled()) === 21, 60_000);
      assert.equal(await relay.pending(), 0);
      const [duplicates] = await database.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT event_id FROM order_note GROUP BY event_id HAVING count(*) > 1) d`,
      );
      assert.equal(duplicates?.n, 0);
    } finally {
      await relay.stop();
      await consumer.stop();
      await bus.close();
      await database.drop();
    }
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
