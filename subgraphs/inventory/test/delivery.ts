import {
  type AnyEvent,
  createEventConsumer,
  createInProcessBus,
  type EventBus,
  eventDefinition,
  type OutgoingMessage,
  serializeEvent,
  silentLogger,
  topicOf,
} from "@storefront/events";
import { silentLogger as silentServiceLogger } from "@storefront/service";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { createInventoryHandlers } from "../src/events/handlers.ts";

/**
 * Delivers events the way the runtime does: through the idempotent consumer of group "inventory", with one try (a
 * retry would hide a failure). The consumer publishes only to dead-letter topics: `deadLetters` collects them.
 */
export function eventDelivery(prisma: PrismaClient) {
  const deadLetters: OutgoingMessage[] = [];
  const inProcess = createInProcessBus();
  const bus: EventBus = { ...inProcess, publish: async (messages) => void deadLetters.push(...messages) };
  const consumer = createEventConsumer({
    bus,
    groupId: "inventory",
    db: prisma,
    handlers: createInventoryHandlers({ logger: silentServiceLogger() }),
    logger: silentLogger(),
    maxAttempts: 1,
  });
  return {
    deadLetters,
    deliver: (event: AnyEvent): Promise<void> =>
      consumer.handleMessage({
        topic: topicOf(event.type),
        key: eventDefinition(event.type as string).key(event.data),
        value: serializeEvent(event),
        headers: {},
        partition: 0,
        offset: "0",
      }),
    close: () => bus.close(),
  };
}
