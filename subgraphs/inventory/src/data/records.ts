// What the inventory subgraph's resolvers and event handlers work with.
import type { Prisma } from "./generated/client.ts";

export type { Reservation as ReservationRecord, StockLevel as StockLevelRecord } from "./generated/client.ts";

/** A product's stock as the schema shows it; a product that was never stocked has no row and reads as zero. */
export type InventoryRecord = { onHand: number; reserved: number; updatedAt: Date | null };

/** Entities owned by other subgraphs are known here by their key only. */
export type ProductReference = { id: string };

/** The transaction an event handler writes through (it also records the event as processed). */
export type InventoryTransaction = Prisma.TransactionClient;
