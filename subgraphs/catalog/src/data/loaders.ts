import { groupedByKey, orderedByKey } from "@storefront/service";
import DataLoader from "dataloader";
import type { CatalogStore } from "./catalog-store.ts";
import type { CategoryRecord, ProductRecord } from "./records.ts";

/** Per-request loaders: any number of lookups in one tick cost one query per kind. */
export function createCatalogLoaders(store: CatalogStore) {
  return {
    productById: new DataLoader<string, ProductRecord | null>(async (ids) =>
      orderedByKey(ids, await store.productsByIds(ids), (p) => p.id),
    ),
    productBySku: new DataLoader<string, ProductRecord | null>(async (skus) =>
      orderedByKey(skus, await store.productsBySkus(skus), (p) => p.sku),
    ),
    categoryById: new DataLoader<string, CategoryRecord | null>(async (ids) =>
      orderedByKey(ids, await store.categoriesByIds(ids), (c) => c.id),
    ),
    childrenOfCategory: new DataLoader<string, CategoryRecord[]>(async (ids) =>
      groupedByKey(ids, await store.childrenOfCategories(ids), (c) => c.parentId ?? ""),
    ),
  };
}

export type CatalogLoaders = ReturnType<typeof createCatalogLoaders>;
