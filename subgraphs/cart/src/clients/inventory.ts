import type { FetchEntities } from "@storefront/service";
import { AvailableUnitsDocument } from "../generated/inventory-operations.ts";

/** How many units of products can be ordered now, as the inventory subgraph says. */
export function createInventoryClient(fetchEntities: FetchEntities) {
  return {
    /** One count per id, in id order; a product the inventory never stocked has 0. */
    async availableUnits(productIds: readonly string[], requestId?: string): Promise<number[]> {
      const found = await fetchEntities(
        AvailableUnitsDocument,
        productIds.map((id) => ({ id })),
        requestId,
      );
      const available = new Map(
        found.flatMap((product) => (product?.inventory ? [[product.id, product.inventory.available] as const] : [])),
      );
      return productIds.map((id) => available.get(id) ?? 0);
    },
  };
}

export type InventoryClient = ReturnType<typeof createInventoryClient>;
