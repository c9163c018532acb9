import type { ReservationStatus } from "./generated/enums.ts";
import type { InventoryTransaction, ReservationRecord } from "./records.ts";

/** One product's stock, as locked for a reservation decision. */
export interface LockedStock {
  readonly productId: string;
  readonly onHand: number;
  readonly reserved: number;
}

/** A product and a number of its units. */
export interface UnitsOfProduct {
  readonly productId: string;
  readonly quantity: number;
}

/** Reservation reads and writes, inside an event handler's transaction. */
export function createReservationStore(tx: InventoryTransaction) {
  return {
    reservationsOfOrder: (orderId: string): Promise<ReservationRecord[]> => tx.reservation.findMany({ where: { orderId } }),

    /**
     * Locks the products' stock rows until the transaction ends and reads them. Rows are locked in product id
     * order, so two orders that share products queue up instead of deadlocking.
     */
    lockStock: (productIds: readonly string[]): Promise<LockedStock[]> =>
      tx.$queryRaw<LockedStock[]>`
        SELECT product_id::text AS "productId", on_hand AS "onHand", reserved
        FROM stock_level
        WHERE product_id = ANY(${[...productIds]}::uuid[])
        ORDER BY product_id
        FOR UPDATE`,

    /**
     * reserved += quantity for every line, in one statement, only where that leaves reserved ≤ on_hand: the guard
     * that makes overselling impossible. Returns how many lines it could hold.
     */
    holdUnits: (lines: readonly UnitsOfProduct[]): Promise<number> =>
      tx.$executeRaw`
        UPDATE stock_level AS s
        SET reserved = s.reserved + wanted.quantity, updated_at = now()
        FROM unnest(${lines.map((l) => l.productId)}::uuid[], ${lines.map((l) => l.quantity)}::int[]) AS wanted(product_id, quantity)
        WHERE s.product_id = wanted.product_id AND s.on_hand - s.reserved >= wanted.quantity`,

    recordReservations: (orderId: string, lines: readonly (UnitsOfProduct & { status: ReservationStatus; reason: string | null })[]) =>
      tx.reservation.createMany({ data: lines.map((line) => ({ orderId, ...line })) }),

    recordReservedMovements: (orderId: string, lines: readonly UnitsOfProduct[]) =>
      tx.stockMovement.createMany({ data: lines.map((line) => ({ orderId, kind: "RESERVED" as const, ...line })) }),
  };
}
