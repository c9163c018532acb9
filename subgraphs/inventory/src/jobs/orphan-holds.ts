import { randomUUID } from "node:crypto";
import type { PeriodicJob } from "@storefront/runtime";
import type { Logger } from "@storefront/service";
import type { OrdersClient } from "../clients/orders.ts";
import type { Reservations } from "../data/reservations.ts";

export interface OrphanHoldSweepOptions {
  readonly reservations: Reservations;
  readonly orders: OrdersClient;
  readonly logger: Logger;
  /** How long a hold may wait unconfirmed after its last claim (ORPHAN_HOLD_SECONDS). */
  readonly holdMs: number;
  /** How often to look (ORPHAN_HOLD_SWEEP_SECONDS). */
  readonly everyMs: number;
  /** Orders asked about per question to orders (default 100); a run asks again while batches come back full. */
  readonly batchSize?: number;
  /** At most this many batches per run (default 10), so one run stays short; the rest waits for the next period. */
  readonly maxBatches?: number;
  readonly now?: () => Date;
}

/** What one run did: the orders whose holds it released, and those orders confirmed to exist. */
export interface OrphanHoldSweepReport {
  readonly released: readonly string[];
  readonly confirmed: readonly string[];
}

/**
 * Releases stock held for orders that were never placed: a checkout that reserved, then died (or failed to store the
 * order) and was never retried with its key. A hold is an orphan candidate when nothing confirmed its order (orders'
 * order.placed records that) within `holdMs` of its last claim (the checkout, or a retry with the same key).
 *
 * Why orders is asked before anything is released: order.placed can wait in orders' outbox for as long as Kafka is
 * down, so a missing confirmation proves nothing, and no bound is generous enough for every outage. Orders alone knows
 * whether it stored the order, so the hold of an order it knows is confirmed instead (and never asked about again),
 * and a question orders cannot answer (down, frozen, refusing) releases nothing until it can. The release re-checks the
 * hold under the order's lock: confirmed or claimed again since the question, it stays. What is left open: an orders
 * process that stores the order more than `holdMs` after reserving its stock while another replica says it does not
 * exist; storing is one short transaction right after the reservation, so keep ORPHAN_HOLD_SECONDS far above it (the
 * order.placed handler logs an error if it ever happens).
 */
export function createOrphanHoldSweep({
  reservations,
  orders,
  logger,
  holdMs,
  everyMs,
  batchSize = 100,
  maxBatches = 10,
  now = () => new Date(),
}: OrphanHoldSweepOptions): PeriodicJob<OrphanHoldSweepReport> {
  async function sweepBatch(claimedBefore: Date, requestId: string) {
    const candidates = await reservations.unconfirmedHolds(claimedBefore, batchSize);
    if (candidates.length === 0) return { candidates, released: [], confirmed: [] };
    // throws when orders cannot give a whole answer: then nothing is released
    const existing = await orders.existingOrderIds(candidates, requestId);
    const confirmed = candidates.filter((orderId) => existing.has(orderId));
    await reservations.confirm(confirmed);
    const released: string[] = [];
    for (const orderId of candidates.filter((id) => !existing.has(id))) {
      const result = await reservations.releaseOrphaned(orderId, claimedBefore);
      if (result.outcome === "settled") released.push(orderId);
    }
    return { candidates, released, confirmed };
  }

  return {
    name: "inventory.orphan-holds",
    everyMs,
    async run(): Promise<OrphanHoldSweepReport> {
      const claimedBefore = new Date(now().getTime() - holdMs);
      const requestId = randomUUID();
      const report = { released: [] as string[], confirmed: [] as string[] };
      for (let batch = 0; batch < maxBatches; batch++) {
        const { candidates, released, confirmed } = await sweepBatch(claimedBefore, requestId);
        report.released.push(...released);
        report.confirmed.push(...confirmed);
        // a full batch of holds that stayed (claimed again meanwhile) would come back: stop rather than spin
        if (candidates.length < batchSize || released.length + confirmed.length === 0) break;
      }
      if (report.released.length > 0) {
        logger.warn({ orders: report.released, holdMs, requestId }, "released stock held for orders that were never placed");
      }
      if (report.confirmed.length > 0) {
        logger.info(
          { orders: report.confirmed.length, requestId },
          "confirmed holds whose order.placed has not arrived: orders has the orders",
        );
      }
      return report;
    },
  };
}
