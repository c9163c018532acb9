import type { FetchEntities } from "@storefront/service";
import { KnownProductsDocument } from "../generated/catalog-operations.ts";

/** What inventory asks the catalog: whether a product exists (before it stocks one it has never seen). */
export function createCatalogClient(fetchEntities: FetchEntities) {
  return {
    async productExists(productId: string, requestId?: string): Promise<boolean> {
      const [product] = await fetchEntities(KnownProductsDocument, [{ id: productId }], requestId);
      return Boolean(product);
    },
  };
}

export type CatalogClient = ReturnType<typeof createCatalogClient>;
