import type { FetchEntities } from "@storefront/service";
import type { ProductSnapshot } from "../domain/order-lines.ts";

/** Current catalog data for the products of an order, keyed by product id (unknown ids are absent). */
export function createCatalogClient(fetchEntities: FetchEntities) {
  return {
    async productSnapshots(productIds: readonly string[], requestId?: string): Promise<Map<string, ProductSnapshot>> {
      const products = await fetchEntities<ProductSnapshot>(
        "Product",
        productIds.map((id) => ({ id })),
        "id sku name active price { amount currency }",
        requestId,
      );
      return new Map(products.flatMap((product) => (product ? [[product.id, product] as const] : [])));
    },
  };
}

export type CatalogClient = ReturnType<typeof createCatalogClient>;
