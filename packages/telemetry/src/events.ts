import { Counter, Gauge, Histogram } from "prom-client";
import { metricsRegistry, withinScrapeDeadline } from "./registry.ts";

/** Why a message went to its dead-letter topic. */
export type DeadLetterReason = "malformed" | "permanent" | "exhausted";

/** What an outbox looks like at a scrape. */
export interface OutboxStats {
  readonly pending: number;
  /** Age of the oldest unpublished row; 0 when none is pending. */
  readonly oldestPendingSeconds: number;
}

/** How far one consumer group is behind on one partition. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** Messages published to the partition and not yet handled by the group. */
  readonly lag: number;
}

const handled = new Counter({
  name: "event_handled_total",
  help: "Events a consumer group handled (`handled`) or found already processed (`duplicate`), by group and event type.",
  labelNames: ["group", "type", "outcome"] as const,
  registers: [metricsRegistry],
});

const handlerDuration = new Histogram({
  name: "event_handler_duration_seconds",
  help: "Time to handle one event, retries included, by consumer group and event type.",
  labelNames: ["group", "type"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

const retries = new Counter({
  name: "event_handler_retries_total",
  help: "Failed handler runs that are tried again after a pause, by consumer group and event type.",
  labelNames: ["group", "type"] as const,
  registers: [metricsRegistry],
});

const deadLetters = new Counter({
  name: "event_dead_letters_total",
  help: "Messages sent to a dead-letter topic, by consumer group, original topic and reason (malformed, permanent, exhausted).",
  labelNames: ["group", "topic", "reason"] as const,
  registers: [metricsRegistry],
});

const published = new Counter({
  name: "outbox_events_published_total",
  help: "Outbox rows the relay published to the event bus, by service.",
  labelNames: ["service"] as const,
  registers: [metricsRegistry],
});

const publishFailures = new Counter({
  name: "outbox_publish_failures_total",
  help: "Relay batches the event bus refused or did not confirm in time (the rows stay pending), by service.",
  labelNames: ["service"] as const,
  registers: [metricsRegistry],
});

const outboxSources = new Map<object, { service: string; read: () => Promise<OutboxStats> }>();
const lagSources = new Map<object, { group: string; read: () => Promise<PartitionLag[]> }>();

const outboxPending = new Gauge({
  name: "outbox_pending_events",
  help: "Outbox rows not yet published, by service (read at scrape time).",
  labelNames: ["service"] as const,
  registers: [metricsRegistry],
  async collect() {
    await collectOutboxes();
  },
});

const outboxOldest = new Gauge({
  name: "outbox_oldest_pending_age_seconds",
  help: "Age of the oldest unpublished outbox row, by service; 0 when nothing is pending (read at scrape time).",
  labelNames: ["service"] as const,
  registers: [metricsRegistry],
  async collect() {
    await collectOutboxes();
  },
});

const consumerLag = new Gauge({
  name: "event_consumer_lag_messages",
  help: "Messages published and not yet handled, by consumer group, topic and partition (read at scrape time).",
  labelNames: ["group", "topic", "partition"] as const,
  registers: [metricsRegistry],
  async collect() {
    await collectLag();
  },
});

let outboxCollection: Promise<void> | undefined;

// Both outbox gauges come from one query per outbox: the registry collects them concurrently, so they share one run.
function collectOutboxes(): Promise<void> {
  outboxCollection ??= readOutboxes().finally(() => {
    outboxCollection = undefined;
  });
  return outboxCollection;
}

async function readOutboxes(): Promise<void> {
  await Promise.all(
    [...outboxSources.values()].map(async ({ service, read }) => {
      const stats = await withinScrapeDeadline(read());
      // a slow or failing database keeps the last values; the scrape does not wait on it
      if (!stats) return;
      outboxPending.set({ service }, stats.pending);
      outboxOldest.set({ service }, stats.oldestPendingSeconds);
    }),
  );
}

async function collectLag(): Promise<void> {
  await Promise.all(
    [...lagSources.values()].map(async ({ group, read }) => {
      const partitions = await withinScrapeDeadline(read());
      if (!partitions) return;
      for (const { topic, partition, lag } of partitions) consumerLag.set({ group, topic, partition: String(partition) }, lag);
    }),
  );
}

/** What the event bus, the outbox relay and the consumers report. */
export const eventMetrics = {
  handled(group: string, type: string, outcome: "handled" | "duplicate", seconds: number): void {
    handled.inc({ group, type, outcome });
    handlerDuration.observe({ group, type }, seconds);
  },
  retried(group: string, type: string): void {
    retries.inc({ group, type });
  },
  deadLettered(group: string, topic: string, reason: DeadLetterReason): void {
    deadLetters.inc({ group, topic, reason });
  },
  published(service: string, count: number): void {
    published.inc({ service }, count);
  },
  publishFailed(service: string): void {
    publishFailures.inc({ service });
  },
  /** Reads an outbox's backlog at every scrape, until the returned function is called. */
  watchOutbox(service: string, read: () => Promise<OutboxStats>): () => void {
    const key = {};
    outboxSources.set(key, { service, read });
    return () => {
      outboxSources.delete(key);
      if (![...outboxSources.values()].some((source) => source.service === service)) {
        outboxPending.remove({ service });
        outboxOldest.remove({ service });
      }
    };
  },
  /** Reads a consumer group's lag at every scrape, until the returned function is called. */
  watchConsumerLag(group: string, read: () => Promise<PartitionLag[]>): () => void {
    const key = {};
    lagSources.set(key, { group, read });
    return () => {
      lagSources.delete(key);
    };
  },
};

export type EventMetrics = typeof eventMetrics;
