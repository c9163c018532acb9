export { type BackoffOptions, backoffDelay } from "./backoff.ts";
export {
  type BusHealth,
  CLOUDEVENTS_CONTENT_TYPE,
  DLQ_HEADERS,
  type EventBus,
  type IncomingMessage,
  type OutgoingMessage,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionStatus,
} from "./bus.ts";
export {
  CATALOG_TOPIC,
  deadLetterTopic,
  type EventCatalog,
  type EventData,
  type EventDataInput,
  type EventDataMap,
  type EventDefinition,
  type EventType,
  eventCatalog,
  eventDefinition,
  eventTopics,
  eventTypes,
  INVENTORY_TOPIC,
  isDeadLetterTopic,
  isEventType,
  Money,
  ORDER_TOPIC,
  PAYMENT_TOPIC,
  topicOf,
} from "./catalog.ts";
export {
  createEventConsumer,
  type EventConsumer,
  type EventConsumerOptions,
  type EventHandler,
  type EventHandlers,
  type HandlerContext,
} from "./consumer.ts";
export { eventTablesSql, prismaModels, type SqlClient, type TransactionalDb, type TransactionOptions } from "./db.ts";
export {
  type AnyEvent,
  type CreateEventInput,
  createEvent,
  type EventEnvelope,
  type EventOf,
  envelopeSchema,
  parseEnvelope,
  serializeEvent,
} from "./envelope.ts";
export { isPermanentError, MalformedEventError, PermanentEventError } from "./errors.ts";
export { eventJsonSchemas, SCHEMA_BASE_URI } from "./json-schema.ts";
export { createKafkaBus, type KafkaBusOptions, type KafkaBusSettings, kafkaBusFromSettings } from "./kafka.ts";
export { type EventLogger, errorsOnlyLogger, silentLogger } from "./logger.ts";
export { createInProcessBus, type InProcessBusOptions } from "./memory.ts";
export {
  createOutboxRelay,
  type EnqueueOptions,
  enqueueEvent,
  type OutboxRelay,
  type OutboxRelayOptions,
  type RelayStatus,
} from "./outbox.ts";
