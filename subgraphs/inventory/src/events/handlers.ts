import type { EventHandlers } from "@storefront/events";
import type { Logger } from "@storefront/service";
import type { InventoryTransaction } from "../data/records.ts";
import { reserveStockForOrder } from "./reserve-stock.ts";

/** How inventory reacts to other subgraphs' events; each runs in the transaction that marks the event processed. */
export function createInventoryHandlers({ logger }: { logger: Logger }): EventHandlers<InventoryTransaction> {
  return {
    "order.placed.v1": async (event, tx) => {
      const result = await reserveStockForOrder(tx, event.data);
      if (result.outcome === "reject") {
        logger.warn({ orderId: event.data.orderId, eventId: event.id, lines: result.lines }, "order not reserved: not enough stock");
      }
    },
  };
}
