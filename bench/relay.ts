// The event pipeline on real components: PostgreSQL outbox → outbox relay → Kafka → consumer group.
// Prints and returns figures; never asserts them (they depend on the machine).
import { randomUUID } from "node:crypto";
import {
  CLOUDEVENTS_CONTENT_TYPE,
  createEvent,
  createEventConsumer,
  createKafkaBus,
  createOutboxRelay,
  type EventBus,
  type EventOf,
  enqueueEvent,
  eventTablesSql,
  ORDER_TOPIC,
  serializeEvent,
} from "@storefront/events";
import { type BenchDatabase, createBenchDatabase } from "./pg-db.ts";
import { type LatencySummary, perSecond, round, sleep, summarize } from "./stats.ts";

export interface PipelineTarget {
  /** Admin connection (databases are created from it). */
  postgresUrl: string;
  brokers: string[];
  /** Topics and consumer groups of this run start with it, e.g. `bench-k3x9.` (each benchmark adds its own part). */
  topicPrefix: string;
  log: (line: string) => void;
}

export interface EnqueueResult {
  events: number;
  eventsPerTransaction: number;
  concurrency: number;
  seconds: number;
  eventsPerSecond: number;
  transactionsPerSecond: number;
}

export interface RelayRound {
  batchSize: number;
  events: number;
  enqueue: EnqueueResult;
  seconds: number;
  eventsPerSecond: number;
}

export interface RelayBenchmarkOptions {
  /** Events per relay round. Default 20,000. */
  events?: number;
  /** Distinct order ids the events are spread across (each is a message key and an advisory lock). Default 500. */
  orderKeys?: number;
  batchSizes?: number[];
  /** Events per enqueue transaction while filling the outbox. Default 10. */
  eventsPerTransaction?: number;
  /** Enqueue transactions running at once. Default 8. */
  concurrency?: number;
}

export interface RelayBenchmarkResult {
  /** Enqueue rate with one event per transaction (what a mutation such as checkout does). */
  enqueueSingle: EnqueueResult;
  rounds: RelayRound[];
}

function orderPlaced(orderId: string, userId: string): EventOf<"order.placed.v1"> {
  return createEvent({
    type: "order.placed.v1",
    source: "/storefront/orders",
    correlationId: randomUUID(),
    data: {
      orderId,
      userId,
      items: [
        { productId: randomUUID(), sku: "TSHIRT-RED-M", quantity: 2, unitPrice: { amount: 1999, currency: "EUR" } },
        { productId: randomUUID(), sku: "MUG-BLUE", quantity: 1, unitPrice: { amount: 1250, currency: "EUR" } },
      ],
      total: { amount: 5248, currency: "EUR" },
      placedAt: new Date().toISOString(),
    },
  });
}

/**
 * Writes `events` order.placed.v1 events across `keys` through enqueueEvent, `eventsPerTransaction` per transaction,
 * `concurrency` transactions at a time. Events are created (and validated) inside the timed section, as in a mutation.
 */
async function enqueueMany(
  database: BenchDatabase,
  keys: string[],
  events: number,
  eventsPerTransaction: number,
  concurrency: number,
): Promise<EnqueueResult> {
  const userId = randomUUID();
  const transactions = Math.ceil(events / eventsPerTransaction);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const transaction = next++;
      if (transaction >= transactions) return;
      const first = transaction * eventsPerTransaction;
      const count = Math.min(eventsPerTransaction, events - first);
      // keys in a fixed order inside a transaction: enqueueEvent's per-key advisory locks would otherwise deadlock
      const batchKeys = Array.from({ length: count }, (_, i) => keys[(first + i) % keys.length] ?? randomUUID()).sort();
      await database.db.$transaction(async (tx) => {
        for (const key of batchKeys) await enqueueEvent(tx, orderPlaced(key, userId));
      });
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - started;
  return {
    events,
    eventsPerTransaction,
    concurrency,
    seconds: round(ms / 1000, 2),
    eventsPerSecond: perSecond(events, ms),
    transactionsPerSecond: perSecond(transactions, ms),
  };
}

async function waitUntilDrained(pending: () => Promise<number>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while ((await pending()) > 0) {
    if (performance.now() > deadline) throw new Error(`outbox not drained within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * Outbox relay throughput: per batch size, fills an empty outbox with `events` pending events, then starts a relay
 * publishing to Kafka and times it until pending() is 0. Topics are created before the clock starts.
 */
export async function benchmarkRelay(target: PipelineTarget, options: RelayBenchmarkOptions = {}): Promise<RelayBenchmarkResult> {
  const { events = 20_000, orderKeys = 500, batchSizes = [100, 500], eventsPerTransaction = 10, concurrency = 8 } = options;
  const keys = Array.from({ length: orderKeys }, () => randomUUID());
  const database = await createBenchDatabase(target.postgresUrl, eventTablesSql, concurrency + 2);
  target.log(`relay: database ${database.name}, ${events} events per round across ${orderKeys} order keys`);
  try {
    const singleEvents = Math.max(1, Math.floor(events / 4));
    const enqueueSingle = await enqueueMany(database, keys, singleEvents, 1, concurrency);
    target.log(
      `relay: enqueue, 1 event/transaction, ${concurrency} at once: ${enqueueSingle.eventsPerSecond} events/s (${singleEvents} in ${enqueueSingle.seconds} s)`,
    );

    const rounds: RelayRound[] = [];
    for (const batchSize of batchSizes) {
      await database.query("TRUNCATE outbox_event");
      const enqueue = await enqueueMany(database, keys, events, eventsPerTransaction, concurrency);
      const bus: EventBus = createKafkaBus({
        brokers: target.brokers,
        clientId: "storefront-bench-relay",
        topicPrefix: `${target.topicPrefix}relay-${batchSize}.`,
      });
      try {
        await bus.ensureTopics([ORDER_TOPIC]);
        const relay = createOutboxRelay({ db: database.db, bus, batchSize });
        const started = performance.now();
        relay.start();
        try {
          await waitUntilDrained(() => relay.pending(), 300_000);
        } finally {
          await relay.stop();
        }
        const ms = performance.now() - started;
        const round_: RelayRound = { batchSize, events, enqueue, seconds: round(ms / 1000, 2), eventsPerSecond: perSecond(events, ms) };
        rounds.push(round_);
        target.log(
          `relay: batch ${batchSize}: enqueue ${enqueue.eventsPerSecond} events/s (${eventsPerTransaction}/transaction), relay ${round_.eventsPerSecond} events/s (${events} in ${round_.seconds} s)`,
        );
      } finally {
        await bus.close();
      }
    }
    return { enqueueSingle, rounds };
  } finally {
    await database.drop();
  }
}

export interface LatencyBenchmarkOptions {
  /** Measured events per path. Default 200. */
  samples?: number;
  /** Events per second (open loop: sent on schedule whether or not the previous one arrived). Default 20. */
  ratePerSecond?: number;
}

export interface LatencyBenchmarkResult {
  ratePerSecond: number;
  /** bus.publish → the consumer group's handler runs (inside its processed_event transaction). */
  publishToConsume: LatencySummary;
  /** enqueueEvent's transaction committed (+ relay.notify()) → the consumer group's handler runs: the whole pipeline. */
  commitToConsume: LatencySummary;
}

/**
 * End-to-end latency of single events at a modest rate, through a consumer group (createEventConsumer, whose
 * handler runs in the transaction that records the event in processed_event).
 */
export async function benchmarkLatency(target: PipelineTarget, options: LatencyBenchmarkOptions = {}): Promise<LatencyBenchmarkResult> {
  const { samples = 200, ratePerSecond = 20 } = options;
  const database = await createBenchDatabase(target.postgresUrl, eventTablesSql, 6);
  const bus = createKafkaBus({
    brokers: target.brokers,
    clientId: "storefront-bench-latency",
    // its own topics: the consumer group starts from the beginning and must not first wade through the relay rounds' events
    topicPrefix: `${target.topicPrefix}latency.`,
  });
  const relay = createOutboxRelay({ db: database.db, bus, batchSize: 100 });
  const waiting = new Map<string, (at: number) => void>();
  const consumer = createEventConsumer({
    bus,
    groupId: "bench.latency",
    db: database.db,
    handlers: {
      "order.placed.v1": async (event) => {
        waiting.get(event.id)?.(performance.now());
      },
    },
  });
  target.log(`latency: database ${database.name}, ${samples} events per path at ${ratePerSecond}/s`);

  const userId = randomUUID();
  const consumed = (eventId: string, timeoutMs: number): Promise<number | null> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(eventId);
        resolve(null);
      }, timeoutMs);
      waiting.set(eventId, (at) => {
        clearTimeout(timer);
        waiting.delete(eventId);
        resolve(at);
      });
    });

  const viaBus = async (): Promise<{ sentAt: number; arrival: Promise<number | null> }> => {
    const event = orderPlaced(randomUUID(), userId);
    const arrival = consumed(event.id, 30_000);
    const sentAt = performance.now();
    await bus.publish([
      { topic: ORDER_TOPIC, key: event.data.orderId, value: serializeEvent(event), headers: { "content-type": CLOUDEVENTS_CONTENT_TYPE } },
    ]);
    return { sentAt, arrival };
  };

  const viaOutbox = async (): Promise<{ sentAt: number; arrival: Promise<number | null> }> => {
    const event = orderPlaced(randomUUID(), userId);
    const arrival = consumed(event.id, 30_000);
    await database.db.$transaction((tx) => enqueueEvent(tx, event));
    const sentAt = performance.now();
    relay.notify();
    return { sentAt, arrival };
  };

  const measure = async (send: typeof viaBus): Promise<LatencySummary> => {
    const interval = 1000 / ratePerSecond;
    const started = performance.now();
    const sent: { sentAt: number; arrival: Promise<number | null> }[] = [];
    for (let i = 0; i < samples; i++) {
      await sleep(started + i * interval - performance.now());
      sent.push(await send());
    }
    const latencies: number[] = [];
    let lost = 0;
    for (const { sentAt, arrival } of sent) {
      const at = await arrival;
      if (at === null) lost += 1;
      else latencies.push(at - sentAt);
    }
    return summarize(latencies, lost);
  };

  try {
    await consumer.start();
    relay.start();
    // warm-up: the group's first rebalance, producer connection, relay's topic check
    for (const send of [viaBus, viaOutbox]) {
      for (let i = 0; i < 5; i++) {
        const { arrival } = await send();
        if ((await arrival) === null) throw new Error("latency: warm-up event never reached the consumer group");
      }
    }
    const publishToConsume = await measure(viaBus);
    target.log(`latency: publish → consume p50 ${publishToConsume.p50Ms} ms, p95 ${publishToConsume.p95Ms} ms`);
    const commitToConsume = await measure(viaOutbox);
    target.log(`latency: commit → relay → consume p50 ${commitToConsume.p50Ms} ms, p95 ${commitToConsume.p95Ms} ms`);
    // the handler runs before its transaction commits: give the last ones a moment before counting
    const expected = 2 * (5 + samples);
    let processed = 0;
    for (const deadline = performance.now() + 5_000; processed < expected && performance.now() < deadline; await sleep(20)) {
      const [row] = await database.query<{ count: number }>("SELECT count(*)::int AS count FROM processed_event");
      processed = row?.count ?? 0;
    }
    target.log(`latency: processed_event rows written by the consumer group: ${processed} of ${expected}`);
    return { ratePerSecond, publishToConsume, commitToConsume };
  } finally {
    await relay.stop();
    await consumer.stop();
    await bus.close();
    await database.drop();
  }
}
