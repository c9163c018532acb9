import { groupedByKey, orderedByKey } from "@storefront/service";
import DataLoader from "dataloader";
import type { CatalogStore } from "./catalog-store.ts";
import type { CategoryRecord, ProductRecord } from "./records.ts";

/** Per-request loaders: any number of lookups in one tick cost one query per kind. */
export function createCatalogLoaders(store: CatalogStore) {
  const categoryById = new DataLoader<string, CategoryRecord | null>(async (ids) =>
    orderedByKey(ids, await store.categoriesByIds(ids), (c) => c.id),
  );
  return {
    productById: new DataLoader<string, ProductRecord | null>(async (ids) =>
      orderedByKey(ids, await store.productsByIds(ids), (p) => p.id),
    ),
    productBySku: new DataLoader<string, ProductRecord | null>(async (skus) =>
      orderedByKey(skus, await store.productsBySkus(skus), (p) => p.sku),
    ),
    categoryById,
    categoryBySlug: new DataLoader<string, CategoryRecord | null>(async (slugs) =>
      orderedByKey(slugs, await store.categoriesBySlugs(slugs), (c) => c.slug),
    ),
    childrenOfCategory: new DataLoader<string, CategoryRecord[]>(async (ids) =>
      groupedByKey(ids, await store.childrenOfCategories(ids), (c) => c.parentId ?? ""),
    ),
    /** Every category above each one, top-level first: one statement for the links, one for the categories. */
    ancestorsOfCategory: new DataLoader<string, CategoryRecord[]>(async (ids) => {
      const links = await store.ancestorLinks(ids);
      const ancestors = await categoryById.loadMany([...new Set(links.map((link) => link.ancestorId))]);
      const byId = new Map(ancestors.flatMap((category) => (category && !(category instanceof Error) ? [[category.id, category]] : [])));
      return groupedByKey(ids, links, (link) => link.categoryId).map((chain) =>
        chain
          .toSorted((a, b) => b.depth - a.depth)
          .flatMap((link) => {
            const ancestor = byId.get(link.ancestorId);
            return ancestor ? [ancestor] : [];
          }),
      );
    }),
  };
}

export type CatalogLoaders = ReturnType<typeof createCatalogLoaders>;
