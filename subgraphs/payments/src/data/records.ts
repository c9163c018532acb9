// What the payments subgraph's resolvers and event handlers work with: rows as the database stores them.
import type { Prisma } from "./generated/client.ts";

export type { AmountDue as AmountDueRecord, Payment as PaymentRecord } from "./generated/client.ts";

/** Entities owned by other subgraphs are known here by their key only. */
export type OrderReference = { id: string };

/** The transaction an event handler writes through (it also records the event as processed). */
export type PaymentsTransaction = Prisma.TransactionClient;
