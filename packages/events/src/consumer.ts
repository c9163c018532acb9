import {
  context,
  contextFromHeaders,
  type DeadLetterReason,
  eventMetrics,
  SpanKind,
  SpanStatusCode,
  trace,
  tracerFor,
} from "@storefront/telemetry";
import { type BackoffOptions, backoffDelay, sleep } from "./backoff.ts";
import { DLQ_HEADERS, type EventBus, type IncomingMessage, type Subscription, type SubscriptionStatus } from "./bus.ts";
import { deadLetterTopic, type EventType, eventDefinition, isEventType } from "./catalog.ts";
import type { SqlClient, TransactionalDb } from "./db.ts";
import { type AnyEvent, type EventOf, parseEnvelope } from "./envelope.ts";
import { isPermanentError } from "./errors.ts";
import { type EventLogger, errorFields, errorMessage, errorsOnlyLogger } from "./logger.ts";

export interface HandlerContext {
  groupId: string;
  /** 1 on the first try. */
  attempt: number;
  message: IncomingMessage;
}

/** Handles one event inside the transaction that also records it as processed; throw to roll both back and retry. */
export type EventHandler<K extends EventType, Tx> = (event: EventOf<K>, tx: Tx, context: HandlerContext) => Promise<void>;

/** One handler per event type the group cares about; other types are acknowledged and ignored. */
export type EventHandlers<Tx> = { [K in EventType]?: EventHandler<K, Tx> };

export interface EventConsumerOptions<Tx extends SqlClient> {
  bus: EventBus;
  /** The consumer group: a name per (subgraph, purpose), e.g. `inventory.reservations`. Stable across deploys. */
  groupId: string;
  /** The subgraph's database client (a PrismaClient); its transaction client is what handlers get. */
  db: TransactionalDb<Tx>;
  handlers: EventHandlers<Tx>;
  logger?: EventLogger;
  /** Who consumes (the subgraph), as its spans' service. Default: the group id. */
  service?: string;
  /** Tries per event before it is dead-lettered. Default 5. */
  maxAttempts?: number;
  /** Pause between tries. Default 200 ms … 5 s. */
  backoff?: BackoffOptions;
  /** Default: the topics of the handled event types. */
  topics?: string[];
  /** Where a new group starts. Default true (nothing published before its first deploy is missed). */
  fromBeginning?: boolean;
  /** Interactive-transaction timeout for one handler run. Default 30 s. */
  transactionTimeoutMs?: number;
  /**
   * Called after a handler's transaction committed. Handlers write their own events to the outbox in that
   * transaction; the runtime passes the outbox relay's notify here so those events leave at once, not at its next poll.
   */
  afterCommit?: () => void;
}

/** What runHandler throws when the handler (not the database around it) failed; the handler's error is the cause. */
class HandlerFailure extends Error {
  override name = "HandlerFailure";
}

export interface EventConsumer {
  /**
   * Subscribes the group and returns without waiting for a broker: on Kafka, creating the topics (and dead-letter
   * topics) and joining go on in the background until they work (see status()).
   */
  start(): Promise<void>;
  /** Leaves the group after the message in hand (an event mid-retry is redelivered later, not dead-lettered). */
  stop(): Promise<void>;
  /** Where the group's subscription stands (closed before start and after stop). */
  status(): SubscriptionStatus;
  /** What the bus calls per message; exposed for tests. */
  handleMessage(message: IncomingMessage): Promise<void>;
}

/**
 * An idempotent consumer: each event runs its handler in one transaction together with inserting
 * (consumer_group, event_id) into processed_event, so a redelivered event finds its row and is skipped.
 * Malformed messages, and events still failing after maxAttempts, go to `<topic>.dlq` with the reason in headers.
 */
export function createEventConsumer<Tx extends SqlClient>({
  bus,
  groupId,
  db,
  handlers,
  logger = errorsOnlyLogger(),
  service = groupId,
  maxAttempts = 5,
  backoff = { initialMs: 200, maxMs: 5_000 },
  topics,
  fromBeginning = true,
  transactionTimeoutMs = 30_000,
  afterCommit,
}: EventConsumerOptions<Tx>): EventConsumer {
  const handledTypes = Object.keys(handlers).filter(isEventType);
  const subscribedTopics = topics ?? [...new Set(handledTypes.map((type) => eventDefinition(type).topic))];
  let subscription: Subscription | undefined;
  let stoppedAt = new Date();
  let unwatchLag: (() => void) | undefined;
  let stopping = new AbortController();
  const tracer = tracerFor(service);

  /**
   * Runs `work` in a CONSUMER span whose parent is the publish span named by the message's `traceparent` header (the
   * relay's), else the event's own trace context: the handler's queries and the events it writes join that trace.
   */
  const inConsumerSpan = async (message: IncomingMessage, event: AnyEvent | undefined, work: () => Promise<void>): Promise<void> => {
    const carrier = message.headers.traceparent
      ? message.headers
      : event?.traceparent
        ? { traceparent: event.traceparent, tracestate: event.tracestate }
        : {};
    const parent = contextFromHeaders(carrier);
    const span = tracer.startSpan(
      `process ${message.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.operation.type": "process",
          "messaging.destination.name": message.topic,
          "messaging.consumer.group.name": groupId,
          "messaging.destination.partition.id": String(message.partition),
          "messaging.kafka.offset": Number(message.offset),
          ...(event ? { "cloudevents.event_id": event.id, "cloudevents.event_type": event.type } : {}),
        },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), work);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      throw error;
    } finally {
      span.end();
    }
  };

  const deadLetter = async (message: IncomingMessage, reason: string, attempts: number, why: DeadLetterReason): Promise<void> => {
    eventMetrics.deadLettered(groupId, message.topic, why);
    trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: `dead-lettered: ${reason.slice(0, 200)}` });
    logger.error(
      { groupId, topic: message.topic, partition: message.partition, offset: message.offset, reason },
      "event consumer: message dead-lettered",
    );
    await bus.publish([
      {
        topic: deadLetterTopic(message.topic),
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [DLQ_HEADERS.reason]: reason.slice(0, 1_000),
          [DLQ_HEADERS.consumerGroup]: groupId,
          [DLQ_HEADERS.originalTopic]: message.topic,
          [DLQ_HEADERS.originalPartition]: String(message.partition),
          [DLQ_HEADERS.originalOffset]: message.offset,
          [DLQ_HEADERS.attempts]: String(attempts),
          [DLQ_HEADERS.failedAt]: new Date().toISOString(),
        },
      },
    ]);
  };

  const runHandler = (event: AnyEvent, message: IncomingMessage, attempt: number): Promise<"handled" | "duplicate"> => {
    const handler = handlers[event.type] as EventHandler<EventType, Tx>;
    return db.$transaction(
      async (tx) => {
        // the unique key is the idempotency check: a concurrent duplicate blocks here until the first commits, then finds the row
        const inserted = await tx.$executeRawUnsafe(
          `INSERT INTO processed_event (consumer_group, event_id, type) VALUES ($1, $2::uuid, $3) ON CONFLICT DO NOTHING`,
          groupId,
          event.id,
          event.type,
        );
        if (inserted === 0) return "duplicate";
        try {
          await handler(event as EventOf<EventType>, tx, { groupId, attempt, message });
        } catch (error) {
          throw new HandlerFailure(errorMessage(error), { cause: error });
        }
        return "handled";
      },
      { maxWait: 10_000, timeout: transactionTimeoutMs },
    );
  };

  const handleMessage = async (message: IncomingMessage): Promise<void> => {
    let event: AnyEvent;
    try {
      event = parseEnvelope(message.value);
    } catch (error) {
      if (!isPermanentError(error)) throw error;
      return inConsumerSpan(message, undefined, () => deadLetter(message, errorMessage(error), 0, "malformed"));
    }
    if (!handlers[event.type]) {
      logger.debug({ groupId, type: event.type, eventId: event.id }, "event consumer: no handler for this type; skipped");
      return;
    }
    return inConsumerSpan(message, event, () => handleEvent(event, message));
  };

  const handleEvent = async (event: AnyEvent, message: IncomingMessage): Promise<void> => {
    const started = performance.now();
    const fields = {
      groupId,
      type: event.type,
      eventId: event.id,
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await runHandler(event, message, attempt);
        eventMetrics.handled(groupId, event.type, outcome, (performance.now() - started) / 1_000);
        if (outcome === "handled") afterCommit?.();
        logger.debug(
          { ...fields, attempt, outcome },
          outcome === "duplicate" ? "event consumer: already processed; skipped" : "event consumer: handled",
        );
        return;
      } catch (thrown) {
        const fromHandler = thrown instanceof HandlerFailure;
        const error = fromHandler ? thrown.cause : thrown;
        if (isPermanentError(error)) return deadLetter(message, `${event.type} ${event.id}: ${errorMessage(error)}`, attempt, "permanent");
        if (!fromHandler) {
          // the database itself failed (begin, the idempotency insert, commit): no reason to give up on the event, so the
          // bus delivers it again later instead of it counting towards the dead-letter topic
          logger.error({ ...fields, ...errorFields(error) }, "event consumer: database failed; the event will be delivered again");
          throw error;
        }
        if (attempt >= maxAttempts)
          return deadLetter(
            message,
            `${event.type} ${event.id} failed ${attempt} times; last error: ${errorMessage(error)}`,
            attempt,
            "exhausted",
          );
        // stopping mid-retry: leave the message uncommitted, the group's next member gets it
        if (stopping.signal.aborted) throw error;
        const delay = backoffDelay(attempt, backoff);
        eventMetrics.retried(groupId, event.type);
        trace.getActiveSpan()?.addEvent("retry", { attempt, "exception.message": errorMessage(error).slice(0, 500) });
        logger.warn({ ...fields, ...errorFields(error), attempt, retryInMs: delay }, "event consumer: handler failed; retrying");
        await sleep(delay, stopping.signal);
        if (stopping.signal.aborted) throw error;
      }
    }
  };

  const start = async (): Promise<void> => {
    if (subscription) return;
    stopping = new AbortController();
    subscription = await bus.subscribe({ groupId, topics: subscribedTopics, handle: handleMessage, fromBeginning });
    unwatchLag = eventMetrics.watchConsumerLag(groupId, () => bus.consumerLag(groupId, subscribedTopics));
  };

  const stop = async (): Promise<void> => {
    stopping.abort();
    unwatchLag?.();
    unwatchLag = undefined;
    await subscription?.close();
    subscription = undefined;
    stoppedAt = new Date();
  };

  const status = (): SubscriptionStatus => subscription?.status() ?? { state: "closed", since: stoppedAt };

  return { start, stop, status, handleMessage };
}
