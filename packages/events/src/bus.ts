import type { PartitionLag } from "@storefront/telemetry";

/** A message to publish. */
export interface OutgoingMessage {
  topic: string;
  /** Messages with one key keep their order (same partition); null spreads them. */
  key: string | null;
  /** The JSON envelope. */
  value: string;
  headers?: Record<string, string>;
}

/** A message delivered to a subscriber. */
export interface IncomingMessage {
  topic: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

export interface SubscribeOptions {
  /** Every group gets every message; within a group each partition goes to one subscriber at a time. */
  groupId: string;
  topics: string[];
  /**
   * Called for one message at a time per partition; the next message of that partition waits until it resolves.
   * Rejecting means "not handled": the bus delivers the same message again after a pause (the offset is not committed).
   */
  handle: (message: IncomingMessage) => Promise<void>;
  /**
   * Where a group without committed offsets starts. Default true: a new group sees what was published before it first
   * ran, even when it joins late (the broker away at start-up). With false it starts at the end as of its join.
   */
  fromBeginning?: boolean;
}

/** Where a subscription stands, for /ready. */
export interface SubscriptionStatus {
  /**
   * joining: not (or no longer) a member of its group: the broker is away, its topics are being created, or the consumer
   * crashed and is starting again, all retried in the background. consuming: a member, reading. reconnecting: a member
   * that has heard nothing from the broker for a while (it goes on retrying and keeps its membership). closed.
   */
  readonly state: "joining" | "consuming" | "reconnecting" | "closed";
  /** When it entered that state. */
  readonly since: Date;
  /** The last failure while joining or reconnecting, if any. */
  readonly lastError?: string;
}

export interface Subscription {
  /** Stops delivering, waits for the message in hand, leaves the group. */
  close(): Promise<void>;
  status(): SubscriptionStatus;
}

/** Whether the bus can reach its broker now. */
export interface BusHealth {
  readonly ok: boolean;
  /** What is wrong, when not ok. */
  readonly detail?: string;
}

/** The event bus: Kafka (createKafkaBus) or in-process (createInProcessBus), with the same semantics. */
export interface EventBus {
  /** Which one it is: /ready reports a `kafka` check only for Kafka. */
  readonly transport: "kafka" | "in-process";
  /** Resolves only once every message is durably accepted (Kafka: acks from all in-sync replicas); rejects otherwise, never hangs. */
  publish(messages: OutgoingMessage[]): Promise<void>;
  /**
   * Joins the group and delivers its messages. Resolves at once, never waiting for a broker: joining (and, on Kafka,
   * creating the topics) is retried in the background with bounded backoff until it works or the subscription closes.
   */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Creates the topics and their dead-letter topics if missing. */
  ensureTopics(topics: string[]): Promise<void>;
  /** How many messages of each partition of `topics` the group has not handled yet (the consumer lag gauge). */
  consumerLag(groupId: string, topics: string[]): Promise<PartitionLag[]>;
  /** Whether the broker answers now (asked at most once a second, answered within 2 s; the in-process bus always is). */
  health(): Promise<BusHealth>;
  /**
   * Calls `listener` each time the broker answers again after the bus saw it unreachable (the outbox relay then retries
   * at once instead of finishing its backoff). Returns the function that unregisters it.
   */
  onReconnect(listener: () => void): () => void;
  close(): Promise<void>;
}

/** Header names the consumer puts on dead-lettered messages. */
export const DLQ_HEADERS = {
  reason: "x-dlq-reason",
  consumerGroup: "x-dlq-consumer-group",
  originalTopic: "x-original-topic",
  originalPartition: "x-original-partition",
  originalOffset: "x-original-offset",
  attempts: "x-dlq-attempts",
  failedAt: "x-dlq-failed-at",
} as const;

/** Content type of a structured-mode CloudEvent (the CloudEvents Kafka binding). */
export const CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";
