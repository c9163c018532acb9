import type { EventHandlers } from "@storefront/events";
import type { Logger } from "@storefront/service";
import type { CartTransaction } from "../data/records.ts";
import { removeOrderedItems } from "./remove-ordered-items.ts";

/** How the cart reacts to other subgraphs' events; each runs in the transaction that marks the event processed. */
export function createCartHandlers({ logger }: { logger: Logger }): EventHandlers<CartTransaction> {
  return {
    "order.placed.v1": async (event, tx) => {
      const result = await removeOrderedItems(tx, event.data);
      if (result.outcome === "already_removed") {
        logger.info({ orderId: event.data.orderId, eventId: event.id }, "order was taken out of the cart before; nothing to do");
      }
    },
  };
}
