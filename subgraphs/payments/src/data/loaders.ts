import { groupedByKey, orderedByKey } from "@storefront/service";
import DataLoader from "dataloader";
import type { PaymentsStore } from "./payments-store.ts";
import type { AmountDueRecord, PaymentAuditEntryRecord, PaymentRecord, RefundRecord } from "./records.ts";

/** Per-request loaders: any number of lookups in one tick cost one query per kind. */
export function createPaymentsLoaders(store: PaymentsStore) {
  return {
    amountDueByOrderId: new DataLoader<string, AmountDueRecord | null>(async (orderIds) =>
      orderedByKey(orderIds, await store.amountsDueByOrderIds(orderIds), (due) => due.orderId),
    ),
    paymentsByOrderId: new DataLoader<string, PaymentRecord[]>(async (orderIds) =>
      groupedByKey(orderIds, await store.paymentsByOrderIds(orderIds), (payment) => payment.orderId),
    ),
    paymentById: new DataLoader<string, PaymentRecord | null>(async (ids) =>
      orderedByKey(ids, await store.paymentsByIds(ids), (payment) => payment.id),
    ),
    refundsByPaymentId: new DataLoader<string, RefundRecord[]>(async (paymentIds) =>
      groupedByKey(paymentIds, await store.refundsByPaymentIds(paymentIds), (refund) => refund.paymentId),
    ),
    auditTrailByPaymentId: new DataLoader<string, PaymentAuditEntryRecord[]>(async (paymentIds) =>
      groupedByKey(paymentIds, await store.auditEntriesByPaymentIds(paymentIds), (entry) => entry.paymentId),
    ),
  };
}

export type PaymentsLoaders = ReturnType<typeof createPaymentsLoaders>;
