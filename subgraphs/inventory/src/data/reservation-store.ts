import type { ReservationTransition } from "../domain/reservation-lifecycle.ts";
import type { InventoryTransaction, ReservationRecord, ReservationStatus, Settlement, StockMovementKind } from "./records.ts";

/** One product's stock, as locked for a decision. */
export interface LockedStock {
  readonly productId: string;
  readonly onHand: number;
  readonly reserved: number;
}

/** A product's stock level as a change left it: its balance, its new version and when it changed. */
export interface ChangedStockLevel extends LockedStock {
  /** stock_level.version after the change: every UPDATE of on_hand or reserved adds one. */
  readonly version: number;
  readonly changedAt: Date;
}

/** A product and a number of its units. */
export interface UnitsOfProduct {
  readonly productId: string;
  readonly quantity: number;
}

/** One ledger entry to book: the movement, what caused it, and the balance it left. */
export interface MovementEntry extends UnitsOfProduct {
  readonly kind: StockMovementKind;
  readonly orderId: string | null;
  readonly reason: string | null;
  readonly note?: string | null;
  readonly actorId: string | null;
  readonly onHandAfter: number;
  readonly reservedAfter: number;
}

/** Reservation and stock reads and writes inside one transaction. */
export function createReservationStore(tx: InventoryTransaction) {
  /** Moves every line's units in one statement; `where` guards each row, so a line that would break a rule is skipped. */
  const moveUnits = (
    lines: readonly UnitsOfProduct[],
    statement: "hold" | "release" | "commit" | "restock",
  ): Promise<ChangedStockLevel[]> => {
    const productIds = lines.map((line) => line.productId);
    const quantities = lines.map((line) => line.quantity);
    switch (statement) {
      case "hold":
        // reserved ≤ on_hand afterwards: the guard that makes overselling impossible (the CHECK constraint backs it)
        return tx.$queryRaw<ChangedStockLevel[]>`
          UPDATE stock_level AS s
          SET reserved = s.reserved + moved.quantity, version = s.version + 1, updated_at = now()
          FROM unnest(${productIds}::uuid[], ${quantities}::int[]) AS moved(product_id, quantity)
          WHERE s.product_id = moved.product_id AND s.on_hand - s.reserved >= moved.quantity
          RETURNING s.product_id::text AS "productId", s.on_hand AS "onHand", s.reserved, s.version, s.updated_at AS "changedAt"`;
      case "release":
        return tx.$queryRaw<ChangedStockLevel[]>`
          UPDATE stock_level AS s
          SET reserved = s.reserved - moved.quantity, version = s.version + 1, updated_at = now()
          FROM unnest(${productIds}::uuid[], ${quantities}::int[]) AS moved(product_id, quantity)
          WHERE s.product_id = moved.product_id AND s.reserved >= moved.quantity
          RETURNING s.product_id::text AS "productId", s.on_hand AS "onHand", s.reserved, s.version, s.updated_at AS "changedAt"`;
      case "commit":
        return tx.$queryRaw<ChangedStockLevel[]>`
          UPDATE stock_level AS s
          SET on_hand = s.on_hand - moved.quantity, reserved = s.reserved - moved.quantity, version = s.version + 1, updated_at = now()
          FROM unnest(${productIds}::uuid[], ${quantities}::int[]) AS moved(product_id, quantity)
          WHERE s.product_id = moved.product_id AND s.reserved >= moved.quantity
          RETURNING s.product_id::text AS "productId", s.on_hand AS "onHand", s.reserved, s.version, s.updated_at AS "changedAt"`;
      case "restock":
        // units coming back only add to on_hand: no rule can stop them (reserved ≤ on_hand holds all the more)
        return tx.$queryRaw<ChangedStockLevel[]>`
          UPDATE stock_level AS s
          SET on_hand = s.on_hand + moved.quantity, version = s.version + 1, updated_at = now()
          FROM unnest(${productIds}::uuid[], ${quantities}::int[]) AS moved(product_id, quantity)
          WHERE s.product_id = moved.product_id
          RETURNING s.product_id::text AS "productId", s.on_hand AS "onHand", s.reserved, s.version, s.updated_at AS "changedAt"`;
    }
  };

  return {
    /**
     * Serialises everything done to one order's reservation until the transaction ends (a transaction-scoped advisory
     * lock on the order id): a reservation and a release of the same order never interleave. It is always taken before
     * any stock row, so it cannot deadlock with the stock locks.
     */
    lockOrder: async (orderId: string): Promise<void> => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`inventory.reservation:${orderId}`}, 0))`;
    },

    reservationsOfOrder: (orderId: string): Promise<ReservationRecord[]> =>
      tx.reservation.findMany({ where: { orderId }, orderBy: { productId: "asc" } }),

    /** How the order ended, when that was learned before it was reserved. */
    settlementOf: async (orderId: string): Promise<Settlement | null> =>
      (await tx.settledOrder.findUnique({ where: { orderId }, select: { outcome: true } }))?.outcome ?? null,

    /**
     * Remembers how an order not reserved yet ended; the first ending learned stays, except that `replacesPaid` turns a
     * remembered payment into this ending (a cancellation by orders overrides the payment it refunds).
     */
    rememberSettlement: async (orderId: string, outcome: Settlement, { replacesPaid }: { replacesPaid: boolean }): Promise<void> => {
      if (replacesPaid) {
        await tx.settledOrder.updateMany({ where: { orderId, outcome: "PAID" }, data: { outcome, settledAt: new Date() } });
      }
      await tx.settledOrder.createMany({ data: [{ orderId, outcome }], skipDuplicates: true });
    },

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

    /** reserved += quantity per line, where that keeps reserved ≤ on_hand; the rows it changed, as left. */
    holdUnits: (lines: readonly UnitsOfProduct[]) => moveUnits(lines, "hold"),
    /** reserved −= quantity per line; the rows it changed, as left. */
    releaseUnits: (lines: readonly UnitsOfProduct[]) => moveUnits(lines, "release"),
    /** on_hand −= quantity and reserved −= quantity per line; the rows it changed, as left. */
    commitUnits: (lines: readonly UnitsOfProduct[]) => moveUnits(lines, "commit"),
    /** on_hand += quantity per line (committed units that never left the warehouse); the rows it changed, as left. */
    restockUnits: (lines: readonly UnitsOfProduct[]) => moveUnits(lines, "restock"),

    /** Records an order's lines; `confirmed`: orders' order.placed recorded them, so the order is known to exist. */
    recordReservations: (
      orderId: string,
      lines: readonly (UnitsOfProduct & { status: ReservationStatus; reason: string | null })[],
      { confirmed }: { confirmed: boolean },
    ) => {
      const confirmedAt = confirmed ? new Date() : null;
      return tx.reservation.createMany({ data: lines.map((line) => ({ orderId, ...line, confirmedAt })) });
    },

    /** Records that the order exists (its order.placed arrived, or orders said so): its hold is never released as orphaned. */
    confirmOrder: (orderId: string) =>
      tx.reservation.updateMany({ where: { orderId, confirmedAt: null }, data: { confirmedAt: new Date() } }),

    /** A checkout retried with the same key claims the order's unconfirmed hold again: the orphan sweep waits anew. */
    renewClaim: (orderId: string) =>
      tx.reservation.updateMany({ where: { orderId, status: "HELD", confirmedAt: null }, data: { claimedAt: new Date() } }),

    /** Moves an order's lines in status `from` to status `to`, with the reason (null: none). */
    moveReservations: (orderId: string, { from, to }: ReservationTransition, reason: string | null) =>
      tx.reservation.updateMany({ where: { orderId, status: from }, data: { status: to, reason } }),

    recordMovements: (entries: readonly MovementEntry[]) =>
      tx.stockMovement.createMany({
        data: entries.map((entry) => ({
          productId: entry.productId,
          kind: entry.kind,
          quantity: entry.quantity,
          orderId: entry.orderId,
          reason: entry.reason,
          note: entry.note ?? null,
          actorId: entry.actorId,
          onHandAfter: entry.onHandAfter,
          reservedAfter: entry.reservedAfter,
        })),
      }),
  };
}

export type ReservationStore = ReturnType<typeof createReservationStore>;
