// What the orders subgraph's resolvers and event handlers work with: rows as the database stores them.
import type { Prisma } from "./generated/client.ts";

export type {
  Order as OrderRecord,
  OrderItem as OrderItemRecord,
  OrderStatusChange as OrderStatusChangeRecord,
} from "./generated/client.ts";

/** A Prisma transaction client of the orders database (what event handlers and transitionOrder get). */
export type OrdersTransaction = Prisma.TransactionClient;

/** Entities owned by other subgraphs are known here by their key only. */
export type UserReference = { id: string };
export type ProductReference = { id: string };
