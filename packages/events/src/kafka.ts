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
  type RetryOptions,
} from "kafkajs";
import { type BackoffOptions, backoffDelay, createSerialQueue, sleep } from "./backoff.ts";
import type { BusHealth, EventBus, IncomingMessage, OutgoingMessage, SubscribeOptions, Subscription, SubscriptionStatus } from "./bus.ts";
import { deadLetterTopic, isDeadLetterTopic } from "./catalog.ts";
import { createPendingCommits } from "./kafka-commits.ts";
import { keepMembershipAcrossRestarts } from "./kafka-membership.ts";
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
   * Consumer session timeout. A consumer keeps its membership through a broker outage (it never gives up retrying), so
   * this matters only when a member is really gone (a process killed, or restarted while the broker was away): the group
   * waits this long for it before handing its partitions to the others. Default 10 s (broker minimum: 6 s).
   */
  sessionTimeoutMs?: number;
  /** How long close() waits for each consumer to leave its group; a broker that is away cannot be told. Default 5 s. */
  closeTimeoutMs?: number;
  /** TLS / SASL and the like, passed to kafkajs as is. */
  connection?: Pick<KafkaConfig, "ssl" | "sasl" | "authenticationTimeout" | "reauthenticationThreshold">;
}

const kafkaLevels = { error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG } as const;

/** kafkajs retry settings with every field given: for a missing one kafkajs takes its test defaults when NODE_ENV=test. */
const retryOf = (initialRetryTime: number, maxRetryTime: number, retries: number): Required<Omit<RetryOptions, "restartOnFailure">> => ({
  initialRetryTime,
  maxRetryTime,
  retries,
  factor: 0.2,
  multiplier: 2,
});

/** Connecting, for the producer and the admin clients: a broker that is away fails a try within about 3.4 s. */
const CLIENT_RETRY = retryOf(200, 1_000, 5);
/**
 * Consumers never give up: kafkajs retries fetches, heartbeats and joins through a broker outage (at most 1 s apart)
 * and carries on within a second of the broker's return, as the same group member (see keepMembershipAcrossRestarts
 * for the one crash kafkajs makes anyway).
 */
const CONSUMER_RETRY = retryOf(200, 1_000, Number.POSITIVE_INFINITY);
/** The health probe: one try per seed broker, so /ready answers quickly. */
const probeRetry = (seedBrokers: number) => retryOf(100, 100, Math.max(0, seedBrokers - 1));
/** Between tries to join a group (create its topics, connect, subscribe) while the broker is away. */
const JOIN_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 2_000 };
/** health() asks the broker at most this often; readiness probes in between get the last answer. */
const PROBE_FRESH_MS = 1_000;
const PROBE_TIMEOUT_MS = 2_000;
/** How long health() waits for a probe before answering with the last one: /ready must stay fast (Kubernetes: 1 s). */
const PROBE_WAIT_MS = 500;
/** How often a consumer looks for handled messages whose commit failed, and how long kafkajs' own commit may take first. */
const COMMIT_CHECK_MS = 1_000;

/** The Kafka settings every process reads from its environment (serviceEnv): KAFKA_BROKERS, KAFKA_CLIENT_ID, KAFKA_NAMESPACE. */
export interface KafkaBusSettings {
  readonly KAFKA_BROKERS?: readonly string[] | undefined;
  readonly KAFKA_CLIENT_ID: string;
  readonly KAFKA_NAMESPACE: string;
}

/** The process's Kafka bus as its settings describe it (topics under KAFKA_NAMESPACE); none without KAFKA_BROKERS. */
export function kafkaBusFromSettings(settings: KafkaBusSettings, logger: EventLogger): EventBus | undefined {
  if (!settings.KAFKA_BROKERS) return undefined;
  return createKafkaBus({
    brokers: [...settings.KAFKA_BROKERS],
    clientId: settings.KAFKA_CLIENT_ID,
    logger,
    topicPrefix: settings.KAFKA_NAMESPACE && `${settings.KAFKA_NAMESPACE}.`,
  });
}

/**
 * The bus on Apache Kafka (kafkajs): an idempotent producer with acks from all in-sync replicas, one consumer per
 * subscription (group), topics created with their dead-letter topics. Nothing waits for a broker: a broker that is
 * away makes publish reject within publishTimeoutMs (the outbox keeps the events), and subscribe returns at once while
 * topic creation and joining the group are retried in the background. Consumers keep their group membership through
 * an outage and carry on by themselves once the broker is back; onReconnect tells the outbox relay.
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
  closeTimeoutMs = 5_000,
  connection = {},
}: KafkaBusOptions): EventBus {
  keepMembershipAcrossRestarts();
  const client = (retry: RetryOptions, connectionTimeout = 3_000): Kafka =>
    new Kafka({
      ...connection,
      clientId,
      brokers,
      // short timeouts: a dead broker must turn into a rejected publish, not a hang
      connectionTimeout,
      requestTimeout: 10_000,
      retry,
      logLevel: kafkaLevels[kafkaLogLevel],
      logCreator: () => (entry) => forwardKafkaLog(logger, entry),
    });
  // kafkajs takes the connection retry from the client, so each kind of user gets its own client
  const kafka = client(CLIENT_RETRY);
  const consumerKafka = client(CONSUMER_RETRY);
  const probeKafka = client(probeRetry(brokers.length), 1_000);

  const heartbeatMs = Math.max(500, Math.floor(sessionTimeoutMs / 3));
  const onWire = (topic: string): string => `${topicPrefix}${topic}`;
  const offWire = (topic: string): string => (topic.startsWith(topicPrefix) ? topic.slice(topicPrefix.length) : topic);

  const serial = createSerialQueue();
  const subscriptions = new Set<Subscription>();
  const knownTopics = new Set<string>();
  let producer: Producer | undefined;
  let admin: Admin | undefined;
  let closed = false;

  // Reachability as the bus's own traffic shows it: a failure to connect marks the broker unreachable; the next answer
  // to anything (a consumer's fetch or heartbeat, a publish, the probe) marks it back and wakes onReconnect's listeners.
  const reconnectListeners = new Set<() => void>();
  let unreachableSince: number | undefined;
  const noteUnreachable = (error: unknown): void => {
    if (unreachableSince !== undefined || !isBrokerUnreachable(error)) return;
    unreachableSince = Date.now();
    logger.warn({ ...errorFields(error), brokers }, "event bus: the broker is unreachable; retrying in the background");
  };
  const noteAnswer = (): void => {
    if (unreachableSince === undefined) return;
    logger.info({ brokers, unreachableMs: Date.now() - unreachableSince }, "event bus: the broker answers again");
    unreachableSince = undefined;
    for (const listener of [...reconnectListeners]) listener();
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
            retry: retryOf(200, 2_000, 4),
          });
          producer = created;
          await created.connect();
        }
        await producer.sendBatch({ acks: -1, topicMessages });
      })();
      try {
        await withDeadline(send, publishTimeoutMs, `publishing ${messages.length} message(s) took longer than ${publishTimeoutMs} ms`);
      } catch (error) {
        disconnectOnceSettled(send, producer);
        producer = undefined;
        noteUnreachable(error);
        throw new Error(`event bus: publish failed: ${errorMessage(error)}`, { cause: error });
      }
      noteAnswer();
    });

  const getAdmin = async (): Promise<Admin> => {
    if (admin) return admin;
    const created = kafka.admin({ retry: retryOf(200, 2_000, 4) });
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
        disconnectOnceSettled(work, admin);
        admin = undefined;
        noteUnreachable(error);
        throw new Error(`event bus: ensuring topics failed: ${errorMessage(error)}`, { cause: error });
      }
      noteAnswer();
      for (const topic of missing) knownTopics.add(topic);
    });

  const subscribe = async ({ groupId, topics, handle, fromBeginning = true }: SubscribeOptions): Promise<Subscription> => {
    if (closed) throw new Error("event bus: closed");
    const stopping = new AbortController();
    let consumer: Consumer | undefined;
    let state: SubscriptionStatus["state"] = "joining";
    let since = new Date();
    let lastError: string | undefined;
    let lastAnswerAt = Date.now();

    const enter = (next: SubscriptionStatus["state"], error?: unknown): void => {
      if (state !== next) since = new Date();
      state = next;
      lastError = error === undefined ? undefined : errorMessage(error);
    };

    // handled offsets whose commit failed are committed again (kafkajs would wait for the group's next message)
    const pendingCommits = createPendingCommits();
    let committing = false;
    const commitLeftovers = (): void => {
      const current = consumer;
      if (committing || !current || state !== "consuming" || stopping.signal.aborted) return;
      const due = pendingCommits.due(COMMIT_CHECK_MS);
      if (due.length === 0) return;
      committing = true;
      current
        .commitOffsets(due)
        // kafkajs' COMMIT_OFFSETS event records it, as it does its own commits
        .then(() => logger.info({ groupId, offsets: due }, "event bus: committed handled messages whose commit had failed"))
        .catch((error: unknown) => logger.debug({ ...errorFields(error), groupId }, "event bus: committing handled messages failed again"))
        .finally(() => {
          committing = false;
        });
    };
    const commitCheck = setInterval(commitLeftovers, COMMIT_CHECK_MS);
    commitCheck.unref();

    const eachMessage = async ({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> => {
      // a consumer abandoned by close() (its broker away) must not hand anything to the handler when it comes back
      if (stopping.signal.aborted) throw new Error("event bus: subscription closed");
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
            pendingCommits.handled(topic, partition, message.offset);
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

    const startConsumer = async (): Promise<void> => {
      const created = consumerKafka.consumer({
        groupId: `${topicPrefix}${groupId}`,
        allowAutoTopicCreation: true,
        sessionTimeout: sessionTimeoutMs,
        heartbeatInterval: heartbeatMs,
        maxWaitTimeInMs: 500,
        retry: { ...CONSUMER_RETRY, restartOnFailure: async () => !stopping.signal.aborted },
      });
      let crashes = 0;
      created.on(created.events.GROUP_JOIN, () => {
        lastAnswerAt = Date.now();
        crashes = 0;
        if (consumer !== created) return;
        // a (re)joined member reads from the committed offsets: nothing handled before is left to commit
        pendingCommits.reset();
        enter("consuming");
      });
      // every answer from the broker (fetches every maxWaitTimeInMs, heartbeats): the consumer is in touch
      created.on(created.events.REQUEST, () => {
        lastAnswerAt = Date.now();
        noteAnswer();
      });
      created.on(created.events.COMMIT_OFFSETS, ({ payload }) => {
        if (consumer === created) pendingCommits.committed(payload);
      });
      created.on(created.events.CRASH, ({ payload }) => {
        if (consumer !== created || stopping.signal.aborted) return;
        enter("joining", payload.error);
        if (payload.restart) {
          logger.warn({ ...errorFields(payload.error), groupId }, "event bus: consumer crashed; kafkajs starts it again");
          return;
        }
        // kafkajs restarts after retriable crashes only. After the others (such as "Failed to find group coordinator"
        // while a broker shuts down) the same consumer runs again, as kafkajs' own restart does: it keeps its cluster,
        // so it rejoins as the member it was (keepMembershipAcrossRestarts). Only if that fails, a new consumer.
        crashes += 1;
        const delay = backoffDelay(crashes, JOIN_BACKOFF);
        logger.warn({ ...errorFields(payload.error), groupId, retryInMs: delay }, "event bus: consumer crashed; starting it again");
        void sleep(delay, stopping.signal).then(async () => {
          if (stopping.signal.aborted || consumer !== created) return;
          try {
            await created.connect();
            await created.run({ eachMessage });
          } catch (error) {
            if (stopping.signal.aborted || consumer !== created) return;
            logger.error({ ...errorFields(error), groupId }, "event bus: consumer did not start again; building a new one");
            consumer = undefined;
            await created.disconnect().catch(() => {});
            await join();
          }
        });
      });
      consumer = created;
      try {
        await created.connect();
        if (stopping.signal.aborted) throw new Error("event bus: subscription closed");
        await created.subscribe({ topics: topics.map(onWire), fromBeginning });
        if (stopping.signal.aborted) throw new Error("event bus: subscription closed");
        await created.run({ eachMessage });
      } catch (error) {
        if (consumer === created) consumer = undefined;
        await created.disconnect().catch(() => {});
        throw error;
      }
    };

    // Joins in the background: the topics first (a consumer must not auto-create them with the broker's defaults),
    // then the consumer; each failure (the broker away) is retried with bounded backoff until it works or close().
    const join = async (): Promise<void> => {
      for (let attempt = 1; !stopping.signal.aborted; attempt++) {
        try {
          await ensureTopics(topics);
          await startConsumer();
          if (attempt > 1) logger.info({ groupId, attempts: attempt }, "event bus: consumer started");
          return;
        } catch (error) {
          if (stopping.signal.aborted) return;
          enter("joining", error);
          const delay = backoffDelay(attempt, JOIN_BACKOFF);
          const fields = { ...errorFields(error), groupId, attempt, retryInMs: delay };
          // once at warn: the retries of an outage would flood the log
          if (attempt === 1) logger.warn(fields, "event bus: cannot join the consumer group yet; retrying in the background");
          else logger.debug(fields, "event bus: joining the consumer group failed again");
          await sleep(delay, stopping.signal);
        }
      }
    };

    // silence longer than this from a member that fetches every maxWaitTimeInMs and heartbeats every heartbeatMs
    const silenceMs = Math.max(5_000, sessionTimeoutMs);
    const subscription: Subscription = {
      close: async () => {
        if (stopping.signal.aborted) return;
        stopping.abort();
        clearInterval(commitCheck);
        enter("closed");
        subscriptions.delete(subscription);
        const leaving = consumer?.disconnect();
        if (!leaving) return;
        await withDeadline(leaving, closeTimeoutMs, `leaving consumer group ${groupId} took longer than ${closeTimeoutMs} ms`).catch(
          (error: unknown) =>
            logger.warn(
              { ...errorFields(error), groupId },
              "event bus: consumer did not leave its group; it stops once the broker answers",
            ),
        );
      },
      status: () => {
        const silentFor = Date.now() - lastAnswerAt;
        if (state === "consuming" && silentFor > silenceMs) {
          return {
            state: "reconnecting",
            since: new Date(lastAnswerAt),
            lastError: `no answer from the broker for ${Math.round(silentFor / 1_000)} s`,
          };
        }
        return { state, since, ...(lastError === undefined ? {} : { lastError }) };
      },
    };
    subscriptions.add(subscription);
    void join();
    return subscription;
  };

  // its own admin client: lag is read at scrape time and must not queue behind publishes (the serial queue)
  let lagAdmin: Promise<Admin> | undefined;
  const lagReads = new Map<string, Promise<PartitionLag[]>>();

  const readLag = async (groupId: string, topics: string[]): Promise<PartitionLag[]> => {
    lagAdmin ??= (async () => {
      const created = kafka.admin({ retry: retryOf(200, 1_000, 1) });
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

  // the probe's own admin client, kept connected between probes: one metadata request per probe
  let probeAdmin: Admin | undefined;
  let probing: Promise<BusHealth> | undefined;
  let lastProbe: { at: number; health: BusHealth } | undefined;

  const probeBroker = async (): Promise<BusHealth> => {
    const attempt = (async () => {
      if (!probeAdmin) {
        probeAdmin = probeKafka.admin({ retry: probeRetry(brokers.length) });
        await probeAdmin.connect();
      }
      await probeAdmin.describeCluster();
    })();
    try {
      await withDeadline(attempt, PROBE_TIMEOUT_MS, `no answer within ${PROBE_TIMEOUT_MS} ms`);
      noteAnswer();
      return { ok: true };
    } catch (error) {
      disconnectOnceSettled(attempt, probeAdmin);
      probeAdmin = undefined;
      noteUnreachable(error);
      return { ok: false, detail: `broker unreachable (${brokers.join(", ")}): ${errorMessage(error)}` };
    }
  };

  const health = async (): Promise<BusHealth> => {
    if (closed) return { ok: false, detail: "event bus: closed" };
    if (lastProbe && Date.now() - lastProbe.at < PROBE_FRESH_MS) return lastProbe.health;
    probing ??= probeBroker()
      .then((answer) => {
        lastProbe = { at: Date.now(), health: answer };
        return answer;
      })
      .finally(() => {
        probing = undefined;
      });
    // a broker that does not answer must not make /ready slow: past PROBE_WAIT_MS the last answer stands
    const waiting = new AbortController();
    const answered = await Promise.race([probing, sleep(PROBE_WAIT_MS, waiting.signal).then(() => undefined)]);
    waiting.abort();
    return (
      answered ??
      lastProbe?.health ?? { ok: false, detail: `broker unreachable (${brokers.join(", ")}): no answer within ${PROBE_WAIT_MS} ms` }
    );
  };

  const onReconnect = (listener: () => void): (() => void) => {
    reconnectListeners.add(listener);
    return () => reconnectListeners.delete(listener);
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    await Promise.allSettled([...subscriptions].map((subscription) => subscription.close()));
    // let a publish in progress finish (or time out) first
    await serial(async () => {
      closed = true;
    });
    reconnectListeners.clear();
    await Promise.allSettled([
      producer?.disconnect(),
      admin?.disconnect(),
      probeAdmin?.disconnect(),
      lagAdmin?.then((client) => client.disconnect()),
    ]);
    lagAdmin = undefined;
    producer = undefined;
    admin = undefined;
    probeAdmin = undefined;
  };

  return { transport: "kafka", publish, subscribe, ensureTopics, consumerLag, health, onReconnect, close };
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

/** A broker that did not answer in time. */
class BrokerDeadlineError extends Error {
  override name = "BrokerDeadlineError";
}

/** Names of kafkajs errors that mean the broker could not be reached (not that it refused something). */
const unreachableErrors = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSNoBrokerAvailableError",
  "KafkaJSBrokerNotFound",
  "BrokerDeadlineError",
]);

/** True when `error`, or an error it wraps (kafkajs' retry errors keep the last failure as the cause), is one of those. */
function isBrokerUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (unreachableErrors.has(current.name)) return true;
    current = current.cause;
  }
  return false;
}

/**
 * Disconnects `client` once `work` (a call that failed or timed out) has settled: a timed-out call may still be retrying
 * inside kafkajs, and must not reconnect the client behind our back. The caller drops its reference to the client.
 */
function disconnectOnceSettled(work: Promise<unknown>, client: { disconnect(): Promise<void> } | undefined): void {
  void work
    .catch(() => {})
    .then(() => client?.disconnect())
    .catch(() => {});
}

/** Rejects after `ms`; the late result of `work` is swallowed (the caller cleans up after it). */
function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BrokerDeadlineError(message)), ms);
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
    // the bus reports consumer crashes itself (the CRASH event)
    (namespace === "Consumer" && (message.startsWith("Crash:") || message.startsWith("Restarting the consumer"))) ||
    namespace === "BrokerPool" ||
    namespace === "RequestQueue";
  if (!quiet && (level === logLevel.ERROR || level === logLevel.WARN)) logger.warn(entry, message);
  else logger.debug(entry, message);
}
