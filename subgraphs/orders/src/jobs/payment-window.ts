import type { OutboxSignal, PeriodicJob } from "@storefront/runtime";
import type { Logger } from "@storefront/service";
import { GraphQLError } from "graphql";
import type { OrderStore } from "../data/order-store.ts";
import { ordersSettingsFromEnv } from "../env.ts";

/** Who cancels an order whose payment window closed, in its history. */
export const PAYMENT_WINDOW_ACTOR = "system:orders";
export const PAYMENT_WINDOW_REASON = "payment window expired";

/** How long a customer has to pay after checkout (PAYMENT_WINDOW_MINUTES, see env.ts). */
export function paymentWindowMsFromEnv(env: Record<string, string | undefined> = process.env): number {
  return ordersSettingsFromEnv(env).PAYMENT_WINDOW_MINUTES * 60_000;
}

export interface PaymentWindowOptions {
  readonly store: OrderStore;
  readonly outbox: OutboxSignal;
  readonly logger: Logger;
  /** Orders placed longer ago than this and still unpaid are cancelled. */
  readonly windowMs: number;
  /** How often to look (default every minute). */
  readonly everyMs?: number;
  /** Orders cancelled per transaction-by-transaction sweep before the next period (default 200). */
  readonly batchSize?: number;
  readonly now?: () => Date;
}

/**
 * Cancels orders nobody paid for in time (PENDING_PAYMENT or PAYMENT_FAILED, placed more than the window ago), so their
 * reserved stock goes back on sale: each goes through transitionOrder (row lock, history with actor system:orders,
 * order.cancelled, which inventory answers by releasing the units). An order paid meanwhile is refused by the state
 * machine and skipped; replicas sweeping at once meet on the row lock, and the second finds the order cancelled.
 */
export function createPaymentWindowJob({
  store,
  outbox,
  logger,
  windowMs,
  everyMs = 60_000,
  batchSize = 200,
  now = () => new Date(),
}: PaymentWindowOptions): PeriodicJob<number> {
  return {
    name: "orders.payment-window",
    everyMs,
    async run(): Promise<number> {
      const overdue = await store.unpaidOrdersPlacedBefore(new Date(now().getTime() - windowMs), batchSize);
      let cancelled = 0;
      for (const { id } of overdue) {
        try {
          const result = await store.changeStatus(id, { to: "CANCELLED" }, { actor: PAYMENT_WINDOW_ACTOR, reason: PAYMENT_WINDOW_REASON });
          if (result.outcome === "changed") cancelled++;
        } catch (error) {
          // paid (or cancelled by its customer) since it was read: nothing to do
          if (error instanceof GraphQLError && error.extensions.code === "CONFLICT") continue;
          throw error;
        }
      }
      if (cancelled > 0) {
        outbox.notify();
        logger.info({ cancelled, windowMs }, "cancelled orders whose payment window closed");
      }
      return cancelled;
    },
  };
}
