import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, describe, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
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

  test("broker stopped and started again: events wait in the outbox, then the relay publishes them and the consumer, still a member of its group, handles them", {
    skip: needsPrivateBroker,
  }, async () => {
    const broker = await startPrivateBroker();
    after(() => broker.destroy());
    const run = uniqueName("restart");
    const groupId = `${run}-shipping`;
    const database = await createTestDatabase();
    const bus = createKafkaBus({ brokers: [broker.address], clientId: run, logger, publishTimeoutMs: 3_000 });
    const relay = createOutboxRelay({ db: database.db, bus, logger, pollIntervalMs: 100, publishTimeoutMs: 5_000 });
    const consumer = createEventConsumer({
      bus,
      groupId,
      db: database.db,
      logger,
      handlers: { "order.placed.v1": async (event, tx) => writeNote(tx, groupId, event) },
    });
    // a second group, closed while the broker is away: its close must return, and its handler must get nothing more
    const closedGroupId = `${run}-closed`;
    let handledAfterClose = 0;
    let closedYet = false;
    const closing = createEventConsumer({
      bus,
      groupId: closedGroupId,
      db: database.db,
      logger,
      handlers: {
        "order.placed.v1": async (event, tx) => {
          if (closedYet) handledAfterClose += 1;
          await writeNote(tx, closedGroupId, event);
        },
      },
    });
    const handled = async (group: string) =>
      (await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM order_note WHERE consumer_group = $1`, group))[0]?.n ?? 0;
    const kafka = new Kafka({ clientId: `${run}-test`, brokers: [broker.address], logLevel: logLevel.NOTHING });
    const members = async (): Promise<string[]> => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { groups } = await admin.describeGroups([groupId]);
        return (groups[0]?.members ?? []).map((member) => member.memberId);
      } finally {
        await admin.disconnect();
      }
    };
    try {
      await consumer.start();
      await closing.start();
      relay.start();
      await database.db.$transaction((tx) => enqueueEvent(tx, orderPlaced()));
      relay.notify();
      await waitFor(
        "the first event handled by both groups",
        async () => (await handled(groupId)) === 1 && (await handled(closedGroupId)) === 1,
      );
      assert.equal(consumer.status().state, "consuming");
      const [member, ...others] = await members();
      assert.ok(member);
      assert.deepEqual(others, []);

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
      assert.equal(await handled(groupId), 1);
      const publishing = relay.status();
      assert.equal(publishing.publishing, false, "the relay reports that its batches fail");
      const health = await bus.health();
      assert.equal(health.ok, false);
      assert.match(health.detail ?? "", /broker unreachable/);
      closedYet = true;
      await closing.stop();
      assert.equal(closing.status().state, "closed");

      await broker.restart();
      await waitFor("all events published and handled after the broker came back", async () => (await handled(groupId)) === 21, 60_000);
      assert.equal(await relay.pending(), 0);
      const [duplicates] = await database.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT event_id FROM order_note GROUP BY consumer_group, event_id HAVING count(*) > 1) d`,
      );
      assert.equal(duplicates?.n, 0);
      assert.deepEqual(await members(), [member], "the same member: it never left the group, so the group never waited for it");
      assert.equal(consumer.status().state, "consuming");
      assert.deepEqual(relay.status(), { publishing: true });
      await waitFor("the broker answers the health probe", async () => (await bus.health()).ok);
      assert.equal(handledAfterClose, 0, "a closed consumer hands nothing to its handler");
      assert.equal(await handled(closedGroupId), 1);
    } finally {
      await relay.stop();
      await consumer.stop();
      await bus.close();
      await database.drop();
    }
  });

  test("a consumer and a relay started while the broker is away: start returns, nothing is lost, and both begin once the broker is up", {
    skip: needsPrivateBroker,
  }, async () => {
    const broker = await startPrivateBroker();
    after(() => broker.destroy());
    await broker.stop();
    const run = uniqueName("late");
    const groupId = `${run}-invoicing`;
    const database = await createTestDatabase();
    const bus = createKafkaBus({ brokers: [broker.address], clientId: run, logger, publishTimeoutMs: 3_000, topicPrefix: `${run}.` });
    const relay = createOutboxRelay({ db: database.db, bus, logger, pollIntervalMs: 100, publishTimeoutMs: 5_000 });
    const consumer = createEventConsumer({
      bus,
      groupId,
      db: database.db,
      logger,
      handlers: { "order.placed.v1": async (event, tx) => writeNote(tx, groupId, event) },
    });
    const handled = async () => (await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM order_note`))[0]?.n ?? 0;
    try {
      // start-up must not wait for the broker
      await consumer.start();
      relay.start();
      assert.equal(consumer.status().state, "joining");
      for (let i = 0; i < 5; i++) await database.db.$transaction((tx) => enqueueEvent(tx, orderPlaced()));
      relay.notify();
      await waitFor("the relay tried and failed", () => !relay.status().publishing);
      await waitFor("the consumer tried to join and failed", () => consumer.status().lastError !== undefined);
      const health = await bus.health();
      assert.equal(health.ok, false);
      assert.match(health.detail ?? "", /broker unreachable/);
      assert.equal(await relay.pending(), 5);

      // the topics do not exist yet: the relay and the consumer create them, and the new group reads from the beginning
      await broker.restart();
      await waitFor("the five events handled once the broker is up", async () => (await handled()) === 5, 60_000);
      assert.equal(await relay.pending(), 0);
      assert.equal(consumer.status().state, "consuming");
      assert.deepEqual(relay.status(), { publishing: true });
      await waitFor("the broker answers the health probe", async () => (await bus.health()).ok);
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
