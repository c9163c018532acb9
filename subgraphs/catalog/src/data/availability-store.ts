import type { CatalogTransaction } from "./records.ts";

/** One report of a product's availability, as inventory sends it. */
export interface AvailabilityReport {
  readonly productId: string;
  readonly inStock: boolean;
  /** Inventory's version of the product's stock level: higher is newer. */
  readonly version: number;
  readonly changedAt: Date;
}

/**
 * Stores a report unless a newer (or the same) one is already stored, in one statement, so replays and reports
 * that arrive out of order leave the newest state. Answers whether the report changed anything.
 */
export async function recordAvailability(tx: CatalogTransaction, report: AvailabilityReport): Promise<"applied" | "stale"> {
  const changed = await tx.$executeRaw`
    INSERT INTO product_availability (product_id, in_stock, version, changed_at, updated_at)
    VALUES (${report.productId}::uuid, ${report.inStock}, ${report.version}::bigint, ${report.changedAt}::timestamptz, now())
    ON CONFLICT (product_id) DO UPDATE
      SET in_stock = EXCLUDED.in_stock, version = EXCLUDED.version, changed_at = EXCLUDED.changed_at, updated_at = now()
      WHERE product_availability.version < EXCLUDED.version`;
  return changed > 0 ? "applied" : "stale";
}
