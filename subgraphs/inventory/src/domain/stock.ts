import { ErrorCode } from "@storefront/errors";
import type { InventoryRecord, StockLevelRecord, StockMovementKind } from "../data/records.ts";

/** The most units of one product the books hold; keeps every sum of stock far from 32-bit overflow. */
export const MAX_ON_HAND = 1_000_000_000;
/** The longest note a manual change may carry. */
export const MAX_NOTE_LENGTH = 500;

/** A product's stock: units on hand, and how many of them are promised to orders. */
export interface Stock {
  readonly onHand: number;
  readonly reserved: number;
}

/** What can still be promised to new orders. */
export function availableUnits(stock: Stock): number {
  return Math.max(0, stock.onHand - stock.reserved);
}

/** A product's stock as the schema shows it; one that was never stocked has nothing on hand and nothing reserved. */
export function inventoryOf(level: StockLevelRecord | null): InventoryRecord {
  return level
    ? { onHand: level.onHand, reserved: level.reserved, updatedAt: level.updatedAt }
    : { onHand: 0, reserved: 0, updatedAt: null };
}

/** How a movement of `quantity` units of a kind changes on hand and reserved. */
export function movementEffect(kind: StockMovementKind, quantity: number): { onHand: number; reserved: number } {
  switch (kind) {
    case "RECEIVED":
    case "ADJUSTED":
      return { onHand: quantity, reserved: 0 };
    case "RESERVED":
      return { onHand: 0, reserved: quantity };
    case "RELEASED":
      return { onHand: 0, reserved: -quantity };
    case "COMMITTED":
      return { onHand: -quantity, reserved: -quantity };
    case "RESTOCKED":
      return { onHand: quantity, reserved: 0 };
  }
}

/** Why an admin changes stock by hand. */
export type AdjustmentReason = "RECEIVED" | "RETURNED" | "COUNT_CORRECTION" | "DAMAGED" | "LOST" | "OTHER";

// Which way each reason may move stock: receiving goods never removes any, damage never adds any.
const allowedDirection: Record<AdjustmentReason, "in" | "out" | "either"> = {
  RECEIVED: "in",
  RETURNED: "in",
  COUNT_CORRECTION: "either",
  DAMAGED: "out",
  LOST: "out",
  OTHER: "either",
};

/** A manual change of on hand: the ledger entry to book and the stock it leaves. */
export interface StockChangePlan {
  readonly kind: Extract<StockMovementKind, "RECEIVED" | "ADJUSTED">;
  /** For RECEIVED the units received; for ADJUSTED the signed change. */
  readonly quantity: number;
  /** The ledger's snake_case reason code. */
  readonly reason: string;
  readonly note: string | null;
  readonly onHandAfter: number;
  readonly reservedAfter: number;
}

/** A note as booked: trimmed, null when empty; BAD_USER_INPUT when too long. */
export function noteOf(note: string | null | undefined): string | null {
  const trimmed = note?.trim() ?? "";
  if (trimmed.length > MAX_NOTE_LENGTH) {
    throw ErrorCode.BAD_USER_INPUT.err(`input.note must be at most ${MAX_NOTE_LENGTH} characters.`, {
      extensions: { argument: "input.note" },
    });
  }
  return trimmed === "" ? null : trimmed;
}

/**
 * Checks an admin's change against the rules that need no stock figures: a whole, non-zero number of units that moves
 * the way its reason allows, and a note when the reason is OTHER. Throws BAD_USER_INPUT naming the argument.
 */
export function validateAdjustment(change: { delta: number; reason: AdjustmentReason; note: string | null }): void {
  const { delta, reason } = change;
  if (!Number.isInteger(delta) || delta === 0 || Math.abs(delta) > MAX_ON_HAND) {
    throw ErrorCode.BAD_USER_INPUT.err(`input.delta must be a whole number of units other than 0, at most ${MAX_ON_HAND} either way.`, {
      extensions: { argument: "input.delta" },
    });
  }
  const direction = allowedDirection[reason];
  if ((direction === "in" && delta < 0) || (direction === "out" && delta > 0)) {
    throw ErrorCode.BAD_USER_INPUT.err(
      `${reason} ${direction === "in" ? "adds units: input.delta must be positive" : "removes units: input.delta must be negative"}.`,
      { extensions: { argument: "input.delta" } },
    );
  }
  if (reason === "OTHER" && change.note === null) {
    throw ErrorCode.BAD_USER_INPUT.err("Say in input.note why the stock changes when the reason is OTHER.", {
      extensions: { argument: "input.note" },
    });
  }
}

/**
 * Decides a validated manual change against the current stock: on hand may neither fall below zero nor below the
 * units reserved for orders (CONFLICT, with the figures in extensions), nor rise beyond MAX_ON_HAND.
 */
export function planAdjustment(stock: Stock, change: { delta: number; reason: AdjustmentReason; note: string | null }): StockChangePlan {
  const onHandAfter = stock.onHand + change.delta;
  const figures = { extensions: { onHand: stock.onHand, reserved: stock.reserved, available: availableUnits(stock) } };
  if (onHandAfter < 0) {
    throw ErrorCode.CONFLICT.err(`Only ${stock.onHand} units are on hand; ${-change.delta} cannot be removed.`, figures);
  }
  if (onHandAfter < stock.reserved) {
    throw ErrorCode.CONFLICT.err(
      `${stock.reserved} units are reserved for orders, so on hand cannot go below that: at most ${availableUnits(stock)} can be removed.`,
      figures,
    );
  }
  if (onHandAfter > MAX_ON_HAND) {
    throw ErrorCode.BAD_USER_INPUT.err(`On hand would exceed ${MAX_ON_HAND} units.`, { extensions: { argument: "input.delta" } });
  }
  return {
    kind: change.reason === "RECEIVED" ? "RECEIVED" : "ADJUSTED",
    quantity: change.delta,
    reason: change.reason.toLowerCase(),
    note: change.note,
    onHandAfter,
    reservedAfter: stock.reserved,
  };
}

/** Checks a stock take's count: a whole number of units from 0 to MAX_ON_HAND. */
export function validateStockTake(counted: number): void {
  if (!Number.isInteger(counted) || counted < 0 || counted > MAX_ON_HAND) {
    throw ErrorCode.BAD_USER_INPUT.err(`input.onHand must be a whole number of units from 0 to ${MAX_ON_HAND}.`, {
      extensions: { argument: "input.onHand" },
    });
  }
}

/** A stock take as a COUNT_CORRECTION of the difference; null when the books already match the count. */
export function planStockTake(stock: Stock, counted: number, note: string | null): StockChangePlan | null {
  if (counted === stock.onHand) return null;
  return planAdjustment(stock, { delta: counted - stock.onHand, reason: "COUNT_CORRECTION", note });
}
