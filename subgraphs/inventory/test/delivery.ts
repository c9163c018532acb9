import { silentLogger } from "@storefront/service";
import { createEventDelivery, type EventDelivery } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { createInventoryHandlers } from "../src/events/handlers.ts";

/** Delivers events to inventory's handlers the way the runtime does (consumer group "inventory", one try). */
export function eventDelivery(prisma: PrismaClient): EventDelivery {
  return createEventDelivery({ groupId: "inventory", db: prisma, handlers: createInventoryHandlers({ logger: silentLogger() }) });
}
