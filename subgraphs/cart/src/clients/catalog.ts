import { type FetchEntities, orderedByKey } from "@storefront/service";
import type { CatalogProduct } from "../domain/cart-rules.ts";
import { CatalogProductsDocument } from "../generated/catalog-operations.ts";

/** What the catalog says about products now: one `_entities` request for any number of them. */
export function createCatalogClient(fetchEntities: FetchEntities) {
  return {
    /** One entry per id, in id order; null for a product the catalog does not know. */
    async products(productIds: readonly string[], requestId?: string): Promise<(CatalogProduct | null)[]> {
      const found: (CatalogProduct | null)[] = await fetchEntities(
        CatalogProductsDocument,
        productIds.map((id) => ({ id })),
        requestId,
      );
      return orderedByKey(
        productIds,
        found.filter((product) => product !== null),
        (product) => product.id,
      );
    },
  };
}

export type CatalogClient = ReturnType<typeof createCatalogClient>;
