// What the payments subgraph's resolvers and event handlers work with: rows as the database stores them.
import type { Payment, Prisma } from "./generated/client.ts";

export type {
  AmountDue as AmountDueRecord,
  Payment as PaymentRecord,
  PaymentAuditEntry as PaymentAuditEntryRecord,
  Refund as RefundRecord,
} from "./generated/client.ts";

/** Entities owned by other subgraphs are known here by their key only. */
export type OrderReference = { id: string };

/** What payOrder answers: the attempt (its failure, if any, is read off it). */
export type PayOrderOutcome = { readonly payment: Payment };

/** The transaction an event handler writes through (it also records the event as processed). */
export type PaymentsTransaction = Prisma.TransactionClient;
