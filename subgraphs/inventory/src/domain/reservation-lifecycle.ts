import type { ReservationStatus, Settlement } from "../data/records.ts";

/** The status of an order's reservation (its lines all share one); null when nothing was reserved for the order. */
export function reservationStatusOf(lines: readonly { readonly status: ReservationStatus }[]): ReservationStatus | null {
  return lines[0]?.status ?? null;
}

/** What ending an order (paid or cancelled) does to its reservation. */
export type SettlementStep<Line> =
  /** Commit or release these held lines. */
  | { readonly step: "settle"; readonly lines: readonly Line[] }
  /** Nothing is reserved yet: remember the ending, so that a reservation arriving later follows it. */
  | { readonly step: "remember" }
  /** Nothing is held (already committed, released or rejected): ending the order again changes nothing. */
  | { readonly step: "none" };

export function settlementStep<Line extends { readonly status: ReservationStatus }>(lines: readonly Line[]): SettlementStep<Line> {
  if (lines.length === 0) return { step: "remember" };
  const held = lines.filter((line) => line.status === "HELD");
  return held.length > 0 ? { step: "settle", lines: held } : { step: "none" };
}

/** How a reservation goes for an order that already ended before it was reserved (null: it has not ended). */
export function lateReservationStep(settlement: Settlement | null): "reserve" | "reserve_then_commit" | "reject_as_cancelled" {
  if (settlement === "CANCELLED") return "reject_as_cancelled";
  return settlement === "PAID" ? "reserve_then_commit" : "reserve";
}
