import type { PeriodicJob } from "@storefront/runtime";
import type { Logger } from "@storefront/service";
import type { PaymentFlow } from "../data/payment-flow.ts";
import type { PaymentsStore } from "../data/payments-store.ts";
import type { PaymentProvider } from "../domain/provider.ts";

export interface PaymentReconcilerOptions {
  readonly store: PaymentsStore;
  readonly payments: PaymentFlow;
  readonly provider: PaymentProvider;
  readonly logger: Logger;
  /** Attempts PENDING or AUTHORIZED for longer than this (since their last change) are settled. */
  readonly afterMs: number;
  /** How often to look. */
  readonly everyMs: number;
  /** Attempts looked up per run (default 100); the rest wait for the next period. */
  readonly batchSize?: number;
  readonly now?: () => Date;
}

/** What one run did. */
export interface ReconcileReport {
  /** Now CAPTURED (or refunded at once, for an order cancelled meanwhile): the order becomes PAID. */
  readonly captured: number;
  /** Now FAILED: the order can be paid again. */
  readonly failed: number;
  /** Still at the provider's processor, or the provider could not be asked: looked at again next period. */
  readonly waiting: number;
}

/**
 * Settles payment attempts that never heard the provider's answer (payments was killed, or lost its database, while
 * the provider worked): each stale attempt is looked up at the provider by its payment id and settled as the provider
 * has it (see settlementOf), so no order stays blocked by an attempt that is "under way" forever. Safe to run on every
 * replica at once, and next to payOrder: every change is a conditional update, so one attempt is captured at most once.
 */
export function createPaymentReconcilerJob({
  store,
  payments,
  provider,
  logger,
  afterMs,
  everyMs,
  batchSize = 100,
  now = () => new Date(),
}: PaymentReconcilerOptions): PeriodicJob<ReconcileReport> {
  return {
    name: "payments.reconciler",
    everyMs,
    async run(): Promise<ReconcileReport> {
      const stale = await store.unsettledPayments(new Date(now().getTime() - afterMs), batchSize);
      const report = { captured: 0, failed: 0, waiting: 0 };
      for (const payment of stale) {
        try {
          const settled = await payments.settle(payment, await provider.lookup({ paymentId: payment.id }));
          if (settled.status === "CAPTURED" || settled.status === "REFUNDED") report.captured++;
          else if (settled.status === "FAILED") report.failed++;
          else report.waiting++;
        } catch (error) {
          // the provider or the database is away: this attempt is looked at again next period
          report.waiting++;
          logger.warn({ err: error, paymentId: payment.id, orderId: payment.orderId }, "could not settle a stale payment attempt");
        }
      }
      if (report.captured + report.failed > 0)
        logger.info({ ...report, afterMs }, "settled stale payment attempts from the provider's records");
      return report;
    },
  };
}
