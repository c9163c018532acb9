import type { FetchEntities } from "@storefront/service";
import type { ProductSnapshot } from "../domain/order-lines.ts";
import { ProductSnapshotsDocument } from "../generated/catalog-operations.ts";

/** Current catalog data for the products of an order, keyed by product id (unknown ids are absent). */
export function createCatalogClient(fetchEntities: FetchEntities) {
  return {
    async productSnapshots(productIds: readonly string[], requestId?: string): Promise<Map<string, ProductSnapshot>> {
      const products: (ProductSnapshot | null)[] = await fetchEntities(
        ProductSnapshotsDocument,
        productIds.map((id) => ({ id })),
        requestId,
      );
      return new Map(products.flatMap((product) => (product ? [[product.id, product] as const] : [])));
    },
  };
}

export type CatalogClient = ReturnType<typeof createCatalogClient>;
