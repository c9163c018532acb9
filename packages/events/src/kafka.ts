import type { PartitionLag } from "@storefront/telemetry";
import {
  type Admin,
  type Consumer,
  type EachMessagePayload,
  type IHeaders,
  Kafka,
  type KafkaConfig,
  type LogEntry,
  logLevel,
  Partitioners,
  type Producer,
} from "kafkajs";
import { backoffDelay, createSerialQueue, sleep } from "./backoff.ts";
import type { EventBus, IncomingMessage, OutgoingMessage, SubscribeOptions, Subscription } from "./bus.ts";
import { deadLetterTopic, isDeadLetterTopic } from "./catalog.ts";
import { type EventLogger, errorFields, errorMessage, errorsOnlyLogger } from "./logger.ts";

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** pino-compatible; kafkajs' own logs go here too (its errors as warn: it retries them itself). Default: errors on stderr. */
  logger?: EventLogger;
  /** How much of kafkajs' chatter to pass on. Default WARN. */
  kafkaLogLevel?: "error" | "warn" | "info" | "debug";
  /** Partitions of the topics ensureTopics creates. Default 3. */
  partitions?: number;
  /** Replication factor of the topics ensureTopics creates. Default: the broker's. */
  replicationFactor?: number;
  /**
   * Prefixed to every topic and consumer group on the wire, so environments or test runs can share one
   * cluster without seeing each other's events; callers never see it.
   */
  topicPrefix?: string;
  /** publish() rejects after this long instead of waiting for the broker. Default 10 s. */
  publishTimeoutMs?: number;
  /**
   * Consumer session timeout. After a broker restart the group waits this long for its old (dead) members before
   * handing out partitions again, so it is also the consumers' recovery time. Default 10 s (broker minimum: 6 s).
   */
  sessionTimeoutMs?: number;
  /** TLS / SASL and the like, passed to kafkajs as is. */
  connection?: Pick<KafkaConfig, "ssl" | "sasl" | "authenticationTimeout" | "reauthenticationThreshold">;
}

const kafkaLevels = { error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG } as const;

/**
 * The bus on Apache Kafka (kafkajs): an idempotent producer with acks from all in-sync replicas, one consumer per
 * subscription (group), topics created with their dead-letter topics. A broker that is down makes publish reject
 * within publishTimeoutMs; producer and consumers reconnect by themselves once it is back.
 */
export function createKafkaBus({
  brokers,
  clientId,
  logger = errorsOnlyLogger(),
  kafkaLogLevel = "warn",
  partitions = 3,
  replicationFactor,
  topicPrefix = "",
  publishTimeoutMs = 10_000,
  sessionTimeoutMs = 10_000,
  connection = {},
}: KafkaBusOptions): EventBus {
  const kafka = new Kafka({
    ...connection,
    clientId,
    brokers,
    // short timeouts and few retries: a dead broker must turn into a rejected publish, not a hang
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, maxRetryTime: 3_000, retries: 5 },
    logLevel: kafkaLevels[kafkaLogLevel],
    logCreator: () => (entry) => forwardKafkaLog(logger, entry),
  });

  const heartbeatMs = Math.max(500, Math.floor(sessionTimeoutMs / 3));
  const onWire = (topic: string): string => `${topicPrefix}${topic}`;
  const offWire = (topic: string): string => (topic.startsWith(topicPrefix) ? topic.slice(topicPrefix.length) : topic);

  const serial = createSerialQueue();
  const subscriptions = new Set<Subscription>();
  const knownTopics = new Set<string>();
  let producer: Producer | undefined;
  let admin: Admin | undefined;
  let closed = false;

  const dropProducer = (lastSend: Promise<unknown>): void => {
    const stale = producer;
    producer = undefined;
    // a timed-out send may still be retrying inside kafkajs; disconnect once it settled so it cannot reconnect behind our back
    void lastSend
      .catch(() => {})
      .then(() => stale?.disconnect())
      .catch(() => {});
  };

  const publish = (messages: OutgoingMessage[]): Promise<void> =>
    serial(async () => {
      if (closed) throw new Error("event bus: closed");
      if (messages.length === 0) return;
      const topicMessages = groupByTopic(messages).map(([topic, batch]) => ({
        topic: onWire(topic),
        messages: batch.map(({ key, value, headers }) => ({ key, value, headers: { ...headers } })),
      }));
      const send = (async () => {
        if (!producer) {
          // a fresh producer (new producer id) after every failure: sequence numbers of a half-failed send cannot wedge it
          const created = kafka.producer({
            idempotent: true,
            maxInFlightRequests: 1,
            allowAutoTopicCreation: true,
            createPartitioner: Partitioners.DefaultPartitioner,
            retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 4 },
          });
          producer = created;
          await created.connect();
        }
        await producer.sendBatch({ acks: -1, topicMessages });
      })();
      try {
        await withDeadline(send, publishTimeoutMs, `publishing ${messages.length} message(s) took longer than ${publishTimeoutMs} ms`);
      } catch (error) {
        dropProducer(send);
        throw new Error(`event bus: publish failed: ${errorMessage(error)}`, { cause: error });
      }
    });

  const getAdmin = async (): Promise<Admin> => {
    if (admin) return admin;
    const created = kafka.admin({ retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 4 } });
    await created.connect();
    admin = created;
    return created;
  };

  const ensureTopics = (wanted: string[]): Promise<void> =>
    serial(async () => {
      if (closed) throw new Error("event bus: closed");
      const all = new Set(wanted.flatMap((topic) => (isDeadLetterTopic(topic) ? [topic] : [topic, deadLetterTopic(topic)])));
      const missing = [...all].filter((topic) => !knownTopics.has(topic));
      if (missing.length === 0) return;
      const createMissing = async () => {
        const client = await getAdmin();
        const existing = new Set(await client.listTopics());
        const toCreate = missing.filter((topic) => !existing.has(onWire(topic)));
        if (toCreate.length === 0) return;
        try {
          await client.createTopics({
            waitForLeaders: true,
            topics: toCreate.map((topic) => ({
              topic: onWire(topic),
              numPartitions: partitions,
              replicationFactor: replicationFactor ?? -1,
            })),
          });
        } catch (error) {
          // another process created them first
          if (!allTopicsExisted(error)) throw error;
        }
        logger.info({ topics: toCreate }, "event bus: topics created");
      };
      const work = retryingWhileRetriable(createMissing);
      try {
        await withDeadline(work, publishTimeoutMs, `creating topics took longer than ${publishTimeoutMs} ms`);
      } catch (error) {
        const stale = admin;
        admin = undefined;
        void work
          .catch(() => {})
          .then(() => stale?.disconnect())
          .catch(() => {});
        throw new Error(`event bus: ensuring topics failed: ${errorMessage(error)}`, { cause: error });
      }
      for (const topic of missing) knownTopics.add(topic);
    });

  const subscribe = async ({ groupId, topics, handle, fromBeginning = true }: SubscribeOptions): Promise<Subscription> => {
    if (closed) throw new Error("event bus: closed");
    const stopping = new AbortController();
    let consumer: Consumer | undefined;
    let restarts = 0;

    const eachMessage = async ({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> => {
      const incoming: IncomingMessage = {
        topic: offWire(topic),
        key: message.key ? message.key.toString("utf8") : null,
        value: message.value ? message.value.toString("utf8") : "",
        headers: readHeaders(message.headers),
        partition,
        offset: message.offset,
      };
      // a slow handler must not look like a dead member to the group coordinator
      const beat = setInterval(() => heartbeat().catch(() => {}), heartbeatMs);
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            await handle(incoming);
            return;
          } catch (error) {
            // rethrowing leaves the offset uncommitted: the message comes again after a restart
            if (stopping.signal.aborted) throw error;
            logger.warn(
              { ...errorFields(error), groupId, topic: incoming.topic, partition, offset: message.offset, attempt },
              "event bus: handler rejected, delivering again",
            );
            await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 5_000 }), stopping.signal);
          }
        }
      } finally {
        clearInterval(beat);
      }
    };

    const start = async (): Promise<Consumer> => {
      const created = kafka.consumer({
        groupId: `${topicPrefix}${groupId}`,
        allowAutoTopicCreation: true,
        sessionTimeout: sessionTimeoutMs,
        heartbeatInterval: heartbeatMs,
        maxWaitTimeInMs: 500,
        retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 8, restartOnFailure: async () => !stopping.signal.aborted },
      });
      created.on(created.events.CRASH, ({ payload }) => {
        // kafkajs restarts after retriable crashes itself; after the others we build a new consumer
        if (!payload.restart && !stopping.signal.aborted) void restart(created, payload.error);
      });
      consumer = created;
      try {
        await created.connect();
        await created.subscribe({ topics: topics.map(onWire), fromBeginning });
        await created.run({ eachMessage });
      } catch (error) {
        if (consumer === created) consumer = undefined;
        await created.disconnect().catch(() => {});
        throw error;
      }
      return created;
    };

    const restart = async (crashed: Consumer, cause: Error): Promise<void> => {
      if (consumer !== crashed) return;
      consumer = undefined;
      logger.error({ ...errorFields(cause), groupId }, "event bus: consumer crashed, starting a new one");
      await crashed.disconnect().catch(() => {});
      while (!stopping.signal.aborted) {
        restarts += 1;
        await sleep(backoffDelay(restarts, { initialMs: 500, maxMs: 10_000 }), stopping.signal);
        if (stopping.signal.aborted) return;
        try {
          await start();
          restarts = 0;
          return;
        } catch (error) {
          logger.warn({ ...errorFields(error), groupId, attempt: restarts }, "event bus: consumer restart failed, trying again");
        }
      }
    };

    await retryingWhileRetriable(start);
    const subscription: Subscription = {
      close: async () => {
        if (stopping.signal.aborted) return;
        stopping.abort();
        subscriptions.delete(subscription);
        await consumer
          ?.disconnect()
          .catch((error: unknown) => logger.warn({ ...errorFields(error), groupId }, "event bus: consumer disconnect failed"));
      },
    };
    subscriptions.add(subscription);
    return subscription;
  };

  // its own admin client: lag is read at scrape time and must not queue behind publishes (the serial queue)
  let lagAdmin: Promise<Admin> | undefined;
  const lagReads = new Map<string, Promise<PartitionLag[]>>();

  const readLag = async (groupId: string, topics: string[]): Promise<PartitionLag[]> => {
    lagAdmin ??= (async () => {
      const created = kafka.admin({ retry: { initialRetryTime: 200, maxRetryTime: 1_000, retries: 1 } });
      await created.connect();
      return created;
    })();
    const client = lagAdmin;
    try {
      const admin = await client;
      const wire = topics.map(onWire);
      const [committed, ...ends] = await Promise.all([
        admin.fetchOffsets({ groupId: `${topicPrefix}${groupId}`, topics: wire }),
        ...wire.map((topic) => admin.fetchTopicOffsets(topic)),
      ]);
      return wire.flatMap((topic, index) => {
        const groupOffsets = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
        return (ends[index] ?? []).map(({ partition, high, low }) => {
          // a committed offset is the next one to read; -1: the group has committed nothing there yet
          const next = Number(groupOffsets.find((entry) => entry.partition === partition)?.offset ?? -1);
          return { topic: offWire(topic), partition, lag: Math.max(0, Number(high) - (next >= 0 ? next : Number(low))) };
        });
      });
    } catch (error) {
      if (lagAdmin === client) lagAdmin = undefined;
      void client.then((admin) => admin.disconnect()).catch(() => {});
      throw error;
    }
  };

  const consumerLag = (groupId: string, topics: string[]): Promise<PartitionLag[]> => {
    if (closed) return Promise.resolve([]);
    // scrapes that come while a read is slow (a broker down) share it instead of piling up
    const key = `${groupId}\u0000${topics.join(",")}`;
    let reading = lagReads.get(key);
    if (!reading) {
      reading = readLag(groupId, topics).finally(() => lagReads.delete(key));
      lagReads.set(key, reading);
    }
    return reading;
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    await Promise.allSettled([...subscriptions].map((subscription) => subscription.close()));
    // let a publish in progress finish (or time out) first
    await serial(async () => {
      closed = true;
    });
    await Promise.allSettled([producer?.disconnect(), admin?.disconnect(), lagAdmin?.then((client) => client.disconnect())]);
    lagAdmin = undefined;
    producer = undefined;
    admin = undefined;
  };

  return { publish, subscribe, ensureTopics, consumerLag, close };
}

function groupByTopic(messages: OutgoingMessage[]): [string, OutgoingMessage[]][] {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const message of messages) {
    if (!message.topic) throw new Error("event bus: message without topic");
    const batch = byTopic.get(message.topic) ?? [];
    batch.push(message);
    byTopic.set(message.topic, batch);
  }
  return [...byTopic];
}

function readHeaders(headers: IHeaders | undefined): Record<string, string> {
  const read: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) read[name] = first.toString();
  }
  return read;
}

/**
 * Runs `work` again (up to 8 tries, 150 ms more between each) while it fails with an error Kafka marks retriable.
 * Several services creating and subscribing to the same new topics at once can meet a topic that exists but is not
 * yet in the broker's metadata (UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE): a moment later it is.
 */
async function retryingWhileRetriable<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 8 || !isRetriableKafkaError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 150 * attempt));
    }
  }
}

/** True for a Kafka error the broker itself marks as worth retrying (kafkajs sets `retriable`). */
function isRetriableKafkaError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { retriable?: unknown }).retriable === true;
}

function allTopicsExisted(error: unknown): boolean {
  const errors = (error as { errors?: { type?: string }[] }).errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((each) => each.type === "TOPIC_ALREADY_EXISTS");
}

/** Rejects after `ms`; the late result of `work` is swallowed (the caller cleans up after it). */
function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  work.catch(() => {});
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** kafkajs' logs → our logger. Its ERROR lines are mostly conditions it retries itself, so they count as warnings here. */
function forwardKafkaLog(logger: EventLogger, { namespace, level, log }: LogEntry): void {
  const {
    message,
    timestamp: _timestamp,
    logger: _logger,
    ...fields
  } = log as { message: string; timestamp: string; logger?: string; [field: string]: unknown };
  const entry = { component: "kafkajs", namespace, ...fields };
  const quiet =
    // we bound the idempotent producer's retries on purpose: the relay re-sends from the outbox and consumers deduplicate
    message.startsWith("Limiting retries for the idempotent producer") ||
    // connection failures repeat every retry while a broker is down; publish / consumer failures are reported by us once
    namespace === "Connection" ||
    namespace === "BrokerPool" ||
    namespace === "RequestQueue";
  if (!quiet && (level === logLevel.ERROR || level === logLevel.WARN)) logger.warn(entry, message);
  else logger.debug(entry, message);
}
