import { uuidsOnly } from "@storefront/service";
import type { PrismaClient } from "./generated/client.ts";
import type { AmountDueRecord, PaymentAuditEntryRecord, PaymentRecord, RefundRecord } from "./records.ts";

/** Every read the payments subgraph's resolvers and jobs make. */
export function createPaymentsStore(prisma: PrismaClient) {
  return {
    amountsDueByOrderIds: (orderIds: readonly string[]): Promise<AmountDueRecord[]> =>
      prisma.amountDue.findMany({ where: { orderId: { in: uuidsOnly(orderIds) } } }),

    /** Newest first. */
    paymentsByOrderIds: (orderIds: readonly string[]): Promise<PaymentRecord[]> =>
      prisma.payment.findMany({ where: { orderId: { in: uuidsOnly(orderIds) } }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),

    paymentsByIds: (ids: readonly string[]): Promise<PaymentRecord[]> => prisma.payment.findMany({ where: { id: { in: uuidsOnly(ids) } } }),

    /** Oldest first. */
    refundsByPaymentIds: (paymentIds: readonly string[]): Promise<RefundRecord[]> =>
      prisma.refund.findMany({ where: { paymentId: { in: uuidsOnly(paymentIds) } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),

    /** Attempts still waiting for the provider (PENDING or AUTHORIZED) whose last change is older than `changedBefore`, oldest first. */
    unsettledPayments: (changedBefore: Date, limit: number): Promise<PaymentRecord[]> =>
      prisma.payment.findMany({
        where: { status: { in: ["PENDING", "AUTHORIZED"] }, updatedAt: { lt: changedBefore } },
        orderBy: [{ updatedAt: "asc" }, { id: "asc" }],
        take: limit,
      }),

    /** Oldest first. */
    auditEntriesByPaymentIds: (paymentIds: readonly string[]): Promise<PaymentAuditEntryRecord[]> =>
      prisma.paymentAuditEntry.findMany({
        where: { paymentId: { in: uuidsOnly(paymentIds) } },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      }),
  };
}

export type PaymentsStore = ReturnType<typeof createPaymentsStore>;
