// What the inventory subgraph's resolvers and event handlers work with.
import type { Prisma, Reservation, StockMovement } from "./generated/client.ts";

export type {
  Reservation as ReservationRecord,
  StockLevel as StockLevelRecord,
  StockMovement as StockMovementRecord,
} from "./generated/client.ts";
export type { ReservationStatus, Settlement, StockMovementKind } from "./generated/enums.ts";

/** A product's stock as the schema shows it; a product that was never stocked has no row and reads as zero. */
export type InventoryRecord = { onHand: number; reserved: number; updatedAt: Date | null };

/** Entities owned by other subgraphs are known here by their key only. */
export type ProductReference = { id: string };

/** An order's reservation: its lines (one per product, all in one status), none when nothing was reserved. */
export type StockReservationRecord = { orderId: string; lines: readonly Reservation[] };

/** What a manual stock change did: the product's id and the movement booked (null when nothing changed). */
export type StockChangeRecord = { productId: string; movement: StockMovement | null };

/** The transaction an event handler writes through (it also records the event as processed). */
export type InventoryTransaction = Prisma.TransactionClient;
