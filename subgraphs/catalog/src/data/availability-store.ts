import type { CatalogTransaction } from "./records.ts";

/** One report of a product's availability, as inventory sends it. */
export interface AvailabilityReport {
  readonly productId: string;
  readonly inStock: boolean;
  /** Inventory's version of the product's stock level: higher is newer. */
  readonly version: number;
  readonly changedAt: Date;
}

/** What storing a report did: whether it was newer than the stored one, and whether it flipped the product in or out of stock. */
export interface RecordedAvailability {
  readonly applied: boolean;
  /** True when listings filtered by availability now list the product differently (no row counts as out of stock). */
  readonly inStockChanged: boolean;
}

/**
 * Stores a report unless a newer (or the same) one is already stored, in one statement, so replays and reports
 * that arrive out of order leave the newest state. Answers whether the report changed anything.
 */
export async function recordAvailability(tx: CatalogTransaction, report: AvailabilityReport): Promise<RecordedAvailability> {
  // Every part of one statement sees the same snapshot, so `previous` is the row as it was before the upsert.
  const [row] = await tx.$queryRaw<{ previous: boolean | null; current: boolean | null }[]>`
    WITH previous AS (SELECT in_stock FROM product_availability WHERE product_id = ${report.productId}::uuid),
    upserted AS (
      INSERT INTO product_availability (product_id, in_stock, version, changed_at, updated_at)
      VALUES (${report.productId}::uuid, ${report.inStock}, ${report.version}::bigint, ${report.changedAt}::timestamptz, now())
      ON CONFLICT (product_id) DO UPDATE
        SET in_stock = EXCLUDED.in_stock, version = EXCLUDED.version, changed_at = EXCLUDED.changed_at, updated_at = now()
        WHERE product_availability.version < EXCLUDED.version
      RETURNING in_stock
    )
    SELECT (SELECT in_stock FROM previous) AS previous, (SELECT in_stock FROM upserted) AS current`;
  const current = row?.current ?? null;
  if (current === null) return { applied: false, inStockChanged: false };
  return { applied: true, inStockChanged: current !== (row?.previous ?? false) };
}
