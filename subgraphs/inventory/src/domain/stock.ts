import type { InventoryRecord, StockLevelRecord } from "../data/records.ts";

/** What can still be promised to new orders. */
export function availableUnits(stock: { onHand: number; reserved: number }): number {
  return Math.max(0, stock.onHand - stock.reserved);
}

/** A product's stock as the schema shows it; one that was never stocked has nothing on hand and nothing reserved. */
export function inventoryOf(level: StockLevelRecord | null): InventoryRecord {
  return level
    ? { onHand: level.onHand, reserved: level.reserved, updatedAt: level.updatedAt }
    : { onHand: 0, reserved: 0, updatedAt: null };
}
