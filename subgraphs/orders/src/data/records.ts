// What the orders subgraph's resolvers receive as parents: rows as the database stores them.
export type {
  Order as OrderRecord,
  OrderItem as OrderItemRecord,
  OrderStatusChange as OrderStatusChangeRecord,
} from "./generated/client.ts";

/** Entities owned by other subgraphs are known here by their key only. */
export type UserReference = { id: string };
export type ProductReference = { id: string };
