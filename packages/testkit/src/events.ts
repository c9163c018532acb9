import {
  type AnyEvent,
  createEventConsumer,
  createInProcessBus,
  type EventBus,
  type EventHandlers,
  eventDefinition,
  type OutgoingMessage,
  type SqlClient,
  serializeEvent,
  silentLogger,
  type TransactionalDb,
  topicOf,
} from "@storefront/events";

export interface EventDeliveryOptions<Tx extends SqlClient> {
  readonly groupId: string;
  /** The subgraph's Prisma client. */
  readonly db: TransactionalDb<Tx>;
  readonly handlers: EventHandlers<Tx>;
}

/** Hands events to a subgraph's consumer in a test. */
export interface EventDelivery {
  /** What the consumer dead-lettered. */
  readonly deadLetters: OutgoingMessage[];
  /** Hands one event to the consumer and waits until it is handled (or dead-lettered). */
  deliver(event: AnyEvent): Promise<void>;
  /** Hands raw bytes to the consumer, e.g. a malformed message. */
  deliverRaw(value: string, topic: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Delivers events to a subgraph's handlers the way the runtime does — through the idempotent
 * consumer, in a transaction with the processed-event record — with one try, so a retry cannot
 * hide a failure. What the consumer dead-letters is kept in `deadLetters`.
 */
export function createEventDelivery<Tx extends SqlClient>({ groupId, db, handlers }: EventDeliveryOptions<Tx>): EventDelivery {
  const deadLetters: OutgoingMessage[] = [];
  // The consumer publishes only to dead-letter topics: collect instead of publishing.
  const bus: EventBus = { ...createInProcessBus(), publish: async (messages) => void deadLetters.push(...messages) };
  const consumer = createEventConsumer({ bus, groupId, db, handlers, logger: silentLogger(), maxAttempts: 1 });
  let offset = 0;
  return {
    deadLetters,
    deliver(event) {
      offset += 1;
      return consumer.handleMessage({
        topic: topicOf(event.type),
        key: eventDefinition(event.type as string).key(event.data),
        value: serializeEvent(event),
        headers: {},
        partition: 0,
        offset: String(offset),
      });
    },
    deliverRaw(value, topic) {
      offset += 1;
      return consumer.handleMessage({ topic, key: null, value, headers: {}, partition: 0, offset: String(offset) });
    },
    close: () => bus.close(),
  };
}
