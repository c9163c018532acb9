import {
  context,
  contextFromHeaders,
  eventMetrics,
  type OutboxStats,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  traceHeaders,
  tracerFor,
} from "@storefront/telemetry";
import { type BackoffOptions, backoffDelay, createSerialQueue, sleep } from "./backoff.ts";
import { CLOUDEVENTS_CONTENT_TYPE, type EventBus, type OutgoingMessage } from "./bus.ts";
import { type EventDefinition, eventDefinition } from "./catalog.ts";
import type { SqlClient, TransactionalDb } from "./db.ts";
import type { EventEnvelope } from "./envelope.ts";
import { MalformedEventError } from "./errors.ts";
import { type EventLogger, errorFields, errorMessage, errorsOnlyLogger } from "./logger.ts";

/*
 * Ordering. The relay publishes pending rows oldest `seq` first, one relay per database at a time, and marks them
 * published only after the bus accepted them, so a key's events reach the bus in seq order. For seq order to be
 * commit order per key, enqueueEvent takes a transaction-scoped advisory lock on the key before inserting: a second
 * transaction writing an event for the same order waits until the first commits, and only then draws its seq.
 */

/** Advisory-lock namespace of enqueueEvent's per-key locks (two-int form: namespace, hashtext(key)). */
const KEY_LOCK_NAMESPACE = 0x0e7e_0b01;
/** The relay's lock (one-bigint form, a separate lock space from the per-key locks). */
const RELAY_LOCK = "hashtext('@storefront/events:outbox-relay')";

export interface EnqueueOptions {
  /** Message key; default: the event type's key (the order id), which keeps one order's events in order. */
  key?: string;
}

/**
 * Writes the event to the outbox inside the caller's transaction, next to the state change it announces:
 * both commit or neither does. Call it after the change (which locks the changed rows).
 */
export async function enqueueEvent(tx: SqlClient, event: EventEnvelope, { key }: EnqueueOptions = {}): Promise<void> {
  const definition: EventDefinition = eventDefinition(event.type);
  const checked = definition.data.safeParse(event.data);
  if (!checked.success) throw new MalformedEventError(`refusing to enqueue ${event.type} ${event.id}: data does not match its schema`);
  const messageKey = key ?? definition.key(checked.data);
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${KEY_LOCK_NAMESPACE}, hashtext($1))`, messageKey);
  await tx.$executeRawUnsafe(
    `INSERT INTO outbox_event (id, topic, key, type, payload) VALUES ($1::uuid, $2, $3, $4, $5::jsonb)`,
    event.id,
    definition.topic,
    messageKey,
    event.type,
    JSON.stringify(event),
  );
}

export interface OutboxRelayOptions {
  /** The subgraph's database client (a PrismaClient). */
  db: TransactionalDb & SqlClient;
  bus: EventBus;
  logger?: EventLogger;
  /** Whose outbox this is (the subgraph), in metrics and spans. Default `outbox`. */
  service?: string;
  /** Rows per publish. Default 100. */
  batchSize?: number;
  /** How often to look for rows when not notified. Default 1 s. */
  pollIntervalMs?: number;
  /**
   * Pause after a failed publish, growing per failure, with jitter. Default 250 ms … 2 s: a broker that is away costs a
   * try every few seconds, and one that is back is used within 2 s (at once when the bus sees it answer: onReconnect).
   */
  backoff?: BackoffOptions;
  /** A publish taking longer counts as failed (the rows stay pending). Default 15 s. */
  publishTimeoutMs?: number;
  /** Published rows are deleted after this long (kept meanwhile for inspection). Default 24 h. */
  retainPublishedMs?: number;
}

/** Whether the relay's last batch reached the bus, for /ready. */
export type RelayStatus =
  | { readonly publishing: true }
  | {
      readonly publishing: false;
      /** When the batches began to fail. */
      readonly failingSince: Date;
      /** Failed batches since then. */
      readonly attempts: number;
      readonly lastError: string;
    };

export interface OutboxRelay {
  /** Starts the background loop. */
  start(): void;
  /** Stops the loop after the batch in hand. */
  stop(): Promise<void>;
  /** Publishes everything pending now; resolves with how many rows this call published; rejects if publishing fails. */
  flush(): Promise<number>;
  /** Wakes the loop now (call after committing a transaction that enqueued events). */
  notify(): void;
  /** Rows not yet published (a gauge for metrics and readiness). */
  pending(): Promise<number>;
  /** Rows not yet published and the age of the oldest, in one query (outbox_pending_events, outbox_oldest_pending_age_seconds). */
  stats(): Promise<OutboxStats>;
  /** Whether the loop's batches are reaching the bus (they are until one fails). */
  status(): RelayStatus;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  type: string;
  payload: string;
  /** The event's own trace context (CloudEvents distributed tracing extension), read from the payload. */
  traceparent: string | null;
  tracestate: string | null;
}

type BatchOutcome = { locked: false } | { locked: true; published: number; error?: unknown };

/**
 * Publishes the outbox to the bus. One relay per database works at a time: each batch runs in a transaction that
 * first takes a transaction-scoped advisory lock (pg_try_advisory_xact_lock); a second relay (another replica)
 * finds it taken and waits for the next round. Not FOR UPDATE SKIP LOCKED: two relays skipping each other's rows
 * would publish a key's later events while its earlier ones are still in the other relay's hands.
 */
export function createOutboxRelay({
  db,
  bus,
  logger = errorsOnlyLogger(),
  service = "outbox",
  batchSize = 100,
  pollIntervalMs = 1_000,
  backoff = { initialMs: 250, maxMs: 2_000 },
  publishTimeoutMs = 15_000,
  retainPublishedMs = 24 * 60 * 60 * 1_000,
}: OutboxRelayOptions): OutboxRelay {
  const serial = createSerialQueue();
  const ensuredTopics = new Set<string>();
  let running: Promise<void> | undefined;
  let stopping = new AbortController();
  let wake = new AbortController();
  let notified = false;
  let reconnected = false;
  let failing: Extract<RelayStatus, { publishing: false }> | undefined;
  let lastCleanup = 0;
  let unwatch: (() => void) | undefined;
  let unwatchReconnect: (() => void) | undefined;
  const tracer = tracerFor(service);

  // One PRODUCER span per message, a child of the context the event was created in; the message's traceparent
  // header names this span, so the consumers' spans hang below the publish in the same trace.
  const publishSpan = (row: OutboxRow): Span => {
    const created = contextFromHeaders(row.traceparent ? { traceparent: row.traceparent, tracestate: row.tracestate ?? undefined } : {});
    return tracer.startSpan(
      `publish ${row.topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          "messaging.operation.type": "send",
          "messaging.destination.name": row.topic,
          "messaging.message.id": row.id,
          "cloudevents.event_id": row.id,
          "cloudevents.event_type": row.type,
        },
      },
      created,
    );
  };

  const publishRows = async (rows: OutboxRow[]): Promise<void> => {
    const newTopics = [...new Set(rows.map((row) => row.topic))].filter((topic) => !ensuredTopics.has(topic));
    if (newTopics.length > 0) {
      await bus.ensureTopics(newTopics);
      for (const topic of newTopics) ensuredTopics.add(topic);
    }
    const spans = rows.map(publishSpan);
    const messages: OutgoingMessage[] = rows.map((row, index) => ({
      topic: row.topic,
      key: row.key,
      value: row.payload,
      headers: {
        "content-type": CLOUDEVENTS_CONTENT_TYPE,
        ...traceHeaders(trace.setSpan(context.active(), spans[index] as Span)),
      },
    }));
    let timer: NodeJS.Timeout | undefined;
    try {
      const publishing = bus.publish(messages);
      publishing.catch(() => {});
      // the batch's transaction stays open while publishing: never longer than this
      await Promise.race([
        publishing,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`publish took longer than ${publishTimeoutMs} ms`)), publishTimeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (error) {
      eventMetrics.publishFailed(service);
      for (const span of spans) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      }
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
    eventMetrics.published(service, rows.length);
  };

  const runBatch = (): Promise<BatchOutcome> =>
    serial(() =>
      db.$transaction(
        async (tx): Promise<BatchOutcome> => {
          const [lock] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(`SELECT pg_try_advisory_xact_lock(${RELAY_LOCK}) AS locked`);
          if (!lock?.locked) return { locked: false };
          const rows = await tx.$queryRawUnsafe<OutboxRow[]>(
            `SELECT id::text AS id, topic, key, type, payload::text AS payload, payload->>'traceparent' AS traceparent, payload->>'tracestate' AS tracestate
             FROM outbox_event WHERE published_at IS NULL ORDER BY seq LIMIT $1::int`,
            batchSize,
          );
          if (rows.length === 0) return { locked: true, published: 0 };
          const ids = rows.map((row) => row.id).join(",");
          try {
            await publishRows(rows);
          } catch (error) {
            // committed with the batch's transaction, so operators can see what is stuck and why
            await tx.$executeRawUnsafe(
              `UPDATE outbox_event SET attempts = attempts + 1, last_error = $2 WHERE id = ANY(string_to_array($1, ',')::uuid[])`,
              ids,
              errorMessage(error).slice(0, 2_000),
            );
            return { locked: true, published: 0, error };
          }
          await tx.$executeRawUnsafe(
            `UPDATE outbox_event SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY(string_to_array($1, ',')::uuid[])`,
            ids,
          );
          return { locked: true, published: rows.length };
        },
        { maxWait: 10_000, timeout: publishTimeoutMs + 15_000 },
      ),
    );

  const cleanUp = async (): Promise<void> => {
    if (Date.now() - lastCleanup < 60_000) return;
    lastCleanup = Date.now();
    const deleted = await db.$executeRawUnsafe(
      `DELETE FROM outbox_event WHERE published_at < now() - ($1::float8 * interval '1 millisecond')`,
      retainPublishedMs,
    );
    if (deleted > 0) logger.debug({ deleted }, "outbox: old published rows deleted");
  };

  // failed batches in a row: 0 while publishing
  const failures = (): number => failing?.attempts ?? 0;

  const failed = (error: unknown): number => {
    failing = {
      publishing: false,
      failingSince: failing?.failingSince ?? new Date(),
      attempts: failures() + 1,
      lastError: errorMessage(error).slice(0, 500),
    };
    return backoffDelay(failing.attempts, backoff);
  };

  const loop = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      let delay = pollIntervalMs;
      try {
        const outcome = await runBatch();
        if (outcome.locked && outcome.error !== undefined) {
          delay = failed(outcome.error);
          logger.warn(
            { ...errorFields(outcome.error), attempt: failures(), retryInMs: delay },
            "outbox: publish failed; rows stay pending",
          );
        } else if (outcome.locked) {
          if (failing)
            logger.info({ after: failing.attempts, failingMs: Date.now() - failing.failingSince.getTime() }, "outbox: publishing again");
          failing = undefined;
          if (outcome.published > 0) {
            delay = 0;
            logger.debug({ published: outcome.published }, "outbox: published");
            await cleanUp();
          }
        }
      } catch (error) {
        delay = failed(error);
        logger.error({ ...errorFields(error), attempt: failures(), retryInMs: delay }, "outbox: relay batch failed");
      }
      if (delay === 0) continue;
      // a notify cuts the poll short, never a backoff (commits must not hammer a broker that is down); onReconnect cuts both
      if ((failures() === 0 && notified) || reconnected) {
        notified = false;
        reconnected = false;
        continue;
      }
      wake = new AbortController();
      await sleep(delay, AbortSignal.any([wake.signal, stopping.signal]));
      notified = false;
      reconnected = false;
    }
  };

  const start = (): void => {
    if (running) return;
    unwatch = eventMetrics.watchOutbox(service, stats);
    // the bus saw the broker answer again: retry now rather than at the end of the backoff
    unwatchReconnect = bus.onReconnect(() => {
      reconnected = true;
      wake.abort();
    });
    stopping = new AbortController();
    failing = undefined;
    running = loop().finally(() => {
      running = undefined;
    });
  };

  const stop = async (): Promise<void> => {
    stopping.abort();
    unwatch?.();
    unwatch = undefined;
    unwatchReconnect?.();
    unwatchReconnect = undefined;
    await running;
  };

  const flush = async (): Promise<number> => {
    let total = 0;
    const deadline = Date.now() + publishTimeoutMs * 4;
    for (;;) {
      const outcome = await runBatch();
      if (!outcome.locked) {
        // another relay is publishing; wait for it
        if (Date.now() > deadline) throw new Error("outbox: flush timed out waiting for another relay");
        await sleep(50);
        continue;
      }
      if (outcome.error !== undefined) throw outcome.error;
      total += outcome.published;
      if (outcome.published < batchSize) return total;
    }
  };

  const notify = (): void => {
    notified = true;
    if (failures() === 0) wake.abort();
  };

  const pending = async (): Promise<number> => {
    const [row] = await db.$queryRawUnsafe<{ pending: number }[]>(
      `SELECT count(*)::int AS pending FROM outbox_event WHERE published_at IS NULL`,
    );
    return row?.pending ?? 0;
  };

  const stats = async (): Promise<OutboxStats> => {
    const [row] = await db.$queryRawUnsafe<{ pending: number; oldest: number | null }[]>(
      `SELECT count(*)::int AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest FROM outbox_event WHERE published_at IS NULL`,
    );
    return { pending: row?.pending ?? 0, oldestPendingSeconds: Math.max(0, row?.oldest ?? 0) };
  };

  const status = (): RelayStatus => failing ?? { publishing: true };

  return { start, stop, flush, notify, pending, stats, status };
}
