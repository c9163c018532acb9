import type { ReservationStatus, Settlement } from "../data/records.ts";

/** The status of an order's reservation (its lines all share one); null when nothing was reserved for the order. */
export function reservationStatusOf(lines: readonly { readonly status: ReservationStatus }[]): ReservationStatus | null {
  return lines[0]?.status ?? null;
}

/**
 * How an order ends, as inventory learns it:
 * - `commit`: it was paid (order.paid, commitStock): its held units leave stock.
 * - `release`: its hold is given up (releaseStock, e.g. a checkout that did not store the order): its held units become
 *   available again. Nothing else is undone: a release never puts committed units back, that takes a cancellation.
 * - `cancel`: orders cancelled it for good (order.cancelled). Orders refuses to cancel an order once it shipped, so
 *   whatever inventory holds or committed for it is still in the warehouse: held units are released, committed ones
 *   go back on hand.
 */
export type OrderEnding = "commit" | "release" | "cancel";

/** The moves a recorded reservation line can make; every other status is final. */
export type ReservationTransition =
  | { readonly from: "HELD"; readonly to: Extract<ReservationStatus, "COMMITTED" | "RELEASED"> }
  | { readonly from: "COMMITTED"; readonly to: Extract<ReservationStatus, "RESTOCKED"> };

/** What ending an order (paid, released or cancelled) does to its reservation. */
export type SettlementStep<Line> =
  /** Commit or release these held lines. */
  | { readonly step: "settle"; readonly lines: readonly Line[] }
  /** Put these committed lines back on hand: a paid order was cancelled before it shipped. */
  | { readonly step: "restock"; readonly lines: readonly Line[] }
  /**
   * Nothing is reserved yet: remember the ending, so that a reservation arriving later follows it. `replacesPaid`: the
   * ending overrides a payment remembered before (a cancellation is final; the payment is refunded by payments).
   */
  | { readonly step: "remember"; readonly settlement: Settlement; readonly replacesPaid: boolean }
  /** Nothing this ending undoes is left (already committed, released, restocked or rejected): it changes nothing. */
  | { readonly step: "none" };

export function settlementStep<Line extends { readonly status: ReservationStatus }>(
  lines: readonly Line[],
  ending: OrderEnding,
): SettlementStep<Line> {
  if (lines.length === 0) {
    return { step: "remember", settlement: ending === "commit" ? "PAID" : "CANCELLED", replacesPaid: ending === "cancel" };
  }
  const held = lines.filter((line) => line.status === "HELD");
  if (held.length > 0) return { step: "settle", lines: held };
  const committed = ending === "cancel" ? lines.filter((line) => line.status === "COMMITTED") : [];
  return committed.length > 0 ? { step: "restock", lines: committed } : { step: "none" };
}

/** How a reservation goes for an order that already ended before it was reserved (null: it has not ended). */
export function lateReservationStep(settlement: Settlement | null): "reserve" | "reserve_then_commit" | "reject_as_cancelled" {
  if (settlement === "CANCELLED") return "reject_as_cancelled";
  return settlement === "PAID" ? "reserve_then_commit" : "reserve";
}
