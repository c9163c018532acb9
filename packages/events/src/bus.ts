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
  /** Where a group without committed offsets starts. Default true: a new group sees what was published before it first ran. */
  fromBeginning?: boolean;
}

export interface Subscription {
  /** Stops delivering, waits for the message in hand, leaves the group. */
  close(): Promise<void>;
}

/** The event bus: Kafka (createKafkaBus) or in-process (createInProcessBus), with the same semantics. */
export interface EventBus {
  /** Resolves only once every message is durably accepted (Kafka: acks from all in-sync replicas); rejects otherwise, never hangs. */
  publish(messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Creates the topics and their dead-letter topics if missing. */
  ensureTopics(topics: string[]): Promise<void>;
  /** How many messages of each partition of `topics` the group has not handled yet (the consumer lag gauge). */
  consumerLag(groupId: string, topics: string[]): Promise<PartitionLag[]>;
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
