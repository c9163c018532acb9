import { ErrorCode } from "@storefront/errors";
import { isUuid } from "@storefront/service";
import { availableUnits } from "./stock.ts";

/** The most lines one reservation request may have. */
export const MAX_RESERVATION_LINES = 100;
/** The most units one line may ask for. */
export const MAX_UNITS_PER_LINE = 10_000;

/** A product and a number of its units. */
export interface OrderedUnits {
  readonly productId: string;
  readonly quantity: number;
}

/**
 * Checks the shape of a reservation asked for over the API (events are checked against their schema when read):
 * an order id and 1 to MAX_RESERVATION_LINES lines of a product id and 1 to MAX_UNITS_PER_LINE units.
 */
export function validateReservationRequest(request: { orderId: string; items: readonly OrderedUnits[] }): void {
  if (!isUuid(request.orderId)) {
    throw ErrorCode.BAD_USER_INPUT.err("input.orderId is not an order id (a UUID).", { extensions: { argument: "input.orderId" } });
  }
  if (request.items.length === 0 || request.items.length > MAX_RESERVATION_LINES) {
    throw ErrorCode.BAD_USER_INPUT.err(`input.items must have 1 to ${MAX_RESERVATION_LINES} lines.`, {
      extensions: { argument: "input.items" },
    });
  }
  for (const [index, item] of request.items.entries()) {
    const argument = `input.items[${index}]`;
    if (!isUuid(item.productId)) {
      throw ErrorCode.BAD_USER_INPUT.err(`${argument}.productId is not a product id.`, { extensions: { argument } });
    }
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_UNITS_PER_LINE) {
      throw ErrorCode.BAD_USER_INPUT.err(`${argument}.quantity must be between 1 and ${MAX_UNITS_PER_LINE}.`, { extensions: { argument } });
    }
  }
}

/** Why a line of an order was not reserved. */
export type RejectionReason =
  /** Fewer units of this product are available than the order asks for. */
  | "insufficient_stock"
  /** This product had enough, but another line of the same order did not: an order is reserved whole or not at all. */
  | "other_item_unavailable"
  /** The order was cancelled before it was reserved. */
  | "order_cancelled";

export interface RejectedLine extends OrderedUnits {
  readonly reason: RejectionReason;
  /** Units that were available when the order was decided. */
  readonly available: number;
}

/** Hold every line, or none of them. */
export type ReservationPlan =
  | { readonly outcome: "hold"; readonly lines: readonly OrderedUnits[] }
  | { readonly outcome: "reject"; readonly lines: readonly RejectedLine[] };

/**
 * One line per product with the quantities summed (a reservation is per order and product), sorted by product id:
 * the order stock rows are locked in, so two orders sharing products never deadlock.
 */
export function unitsPerProduct(items: readonly OrderedUnits[]): OrderedUnits[] {
  const totals = new Map<string, number>();
  for (const { productId, quantity } of items) totals.set(productId, (totals.get(productId) ?? 0) + quantity);
  return [...totals]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/** Decides an order's reservation from the current stock: all lines fit, or the order is rejected whole. */
export function planReservation(
  lines: readonly OrderedUnits[],
  stockOf: (productId: string) => { onHand: number; reserved: number } | undefined,
): ReservationPlan {
  const checked = lines.map((line) => {
    const stock = stockOf(line.productId);
    const available = stock ? availableUnits(stock) : 0;
    return { ...line, available, fits: line.quantity <= available };
  });
  if (checked.every((line) => line.fits)) return { outcome: "hold", lines };
  return {
    outcome: "reject",
    lines: checked.map(({ fits, ...line }) => ({ ...line, reason: fits ? "other_item_unavailable" : "insufficient_stock" })),
  };
}
