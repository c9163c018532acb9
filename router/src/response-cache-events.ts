import { hostname } from "node:os";
import { CATALOG_TOPIC, type EventBus, type EventType, INVENTORY_TOPIC, parseEnvelope, type Subscription } from "@storefront/events";
import type { Logger } from "@storefront/service";

/** The events after which a cached answer may be wrong: something a public answer shows changed. */
export const invalidatingEvents: ReadonlySet<EventType> = new Set<EventType>([
  "catalog.product_changed.v1",
  "catalog.category_changed.v1",
  "inventory.availability_changed.v1",
]);

let routersInProcess = 0;

/**
 * Every router must see every event, so each is its own consumer group: host and process id (stable across restarts of
 * a container, whose process is always 1), and a counter for routers sharing a process (tests, the embedded shop).
 */
function consumerGroupOfThisRouter(): string {
  routersInProcess += 1;
  return `router.response-cache.${hostname()}.${process.pid}.${routersInProcess}`;
}

export interface InvalidationFeedOptions {
  readonly bus: EventBus;
  readonly logger: Logger;
  /** Called for every invalidating event, with its type (`unreadable` for a message that is no known event). */
  readonly onEvent: (cause: EventType | "unreadable") => void;
}

/**
 * Follows the catalog's and inventory's topics for the response cache. Not an idempotent consumer (no database, no
 * processed-event table): emptying the cache twice is harmless, and a message that cannot be read empties it anyway.
 * A new group starts at the end of the topics as of its join: what happened before is not in this router's cache.
 */
export function createInvalidationFeed({ bus, logger, onEvent }: InvalidationFeedOptions) {
  const groupId = consumerGroupOfThisRouter();
  let subscription: Subscription | undefined;

  async function handle(value: string): Promise<void> {
    let type: EventType;
    try {
      type = parseEnvelope(value).type;
    } catch (error) {
      // unreadable, perhaps a type newer than this router: dropping the cache is the safe side
      logger.warn({ err: error, groupId }, "response cache: unreadable event on a catalog or inventory topic; cache emptied");
      onEvent("unreadable");
      return;
    }
    if (invalidatingEvents.has(type)) onEvent(type);
  }

  return {
    groupId,
    /** Joins the group; the bus keeps trying in the background while its broker is away (see `consuming`). */
    async start(): Promise<void> {
      if (subscription) return;
      subscription = await bus.subscribe({
        groupId,
        topics: [CATALOG_TOPIC, INVENTORY_TOPIC],
        fromBeginning: false,
        handle: (message) => handle(message.value),
      });
    },
    /** True while the group is a member reading its topics: an event now reaches the cache within its delivery time. */
    consuming: (): boolean => subscription?.status().state === "consuming",
    async stop(): Promise<void> {
      await subscription?.close();
      subscription = undefined;
    },
  };
}
