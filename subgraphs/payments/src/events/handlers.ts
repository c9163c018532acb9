import type { EventHandlers } from "@storefront/events";
import type { Logger } from "@storefront/service";
import { createAmountDueStore } from "../data/amount-due-store.ts";
import type { PaymentsTransaction } from "../data/records.ts";

/** How payments reacts to other subgraphs' events; each runs in the transaction that marks the event processed. */
export function createPaymentsHandlers({ logger }: { logger: Logger }): EventHandlers<PaymentsTransaction> {
  return {
    "order.placed.v1": async (event, tx) => {
      const { orderId, userId, total } = event.data;
      const recorded = await createAmountDueStore(tx).record({ orderId, userId, amount: total.amount, currency: total.currency });
      if (!recorded) logger.info({ orderId, eventId: event.id }, "amount due already recorded for this order; kept the first");
    },
  };
}
