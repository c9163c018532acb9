import { z } from "zod";
import { type AvailabilityReport, recordAvailability } from "../data/availability-store.ts";
import type { CatalogTransaction } from "../data/records.ts";

/**
 * The payload of `inventory.availability_changed.v1`, the event the catalog needs from inventory to filter listings
 * by availability (products(filter: { inStock })) without reading inventory's tables. Proposed for the shared event
 * catalogue (@storefront/events): topic `storefront.inventory`, key = productId (one product's reports stay in
 * order), published in the same transaction as every stock change that flips whether a unit is available (more is
 * harmless). Until the catalogue has it, this is the contract both sides implement.
 */
export const availabilityChangedV1 = z.object({
  productId: z.uuid().describe("The product's id (UUID)."),
  inStock: z.boolean().describe("Whether at least one unit is available (on hand minus reserved > 0)."),
  version: z.int().nonnegative().describe("The product's stock-level version: it grows with every change, so the newest report wins."),
  changedAt: z.iso.datetime({ offset: true }).describe("When the stock level changed (RFC 3339)."),
});
export type AvailabilityChanged = z.output<typeof availabilityChangedV1>;

/**
 * The catalog's handler for inventory.availability_changed.v1: updates the catalog's availability projection.
 * It runs in the consumer's transaction (which also records the event as processed); a report older than the
 * stored one is ignored, so redelivery and reordering are harmless. Wire it in createCatalogSubgraph's `handlers`
 * once the event type is in the catalogue.
 */
export function applyAvailabilityChanged(tx: CatalogTransaction, data: AvailabilityChanged): Promise<"applied" | "stale"> {
  const report: AvailabilityReport = {
    productId: data.productId,
    inStock: data.inStock,
    version: data.version,
    changedAt: new Date(data.changedAt),
  };
  return recordAvailability(tx, report);
}
