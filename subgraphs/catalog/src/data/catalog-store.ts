import { type PageRequest, uuidsOnly } from "@storefront/service";
import type { PrismaClient } from "./generated/client.ts";
import type { CategoryRecord, ProductRecord } from "./records.ts";

/** Every read the catalog makes; the only module that talks to its database. */
export function createCatalogStore(prisma: PrismaClient) {
  return {
    productsByIds: (ids: readonly string[]): Promise<ProductRecord[]> => prisma.product.findMany({ where: { id: { in: uuidsOnly(ids) } } }),

    productsBySkus: (skus: readonly string[]): Promise<ProductRecord[]> => prisma.product.findMany({ where: { sku: { in: [...skus] } } }),

    /** Active products newest first; fetches one extra row so the caller knows whether more follow. */
    async activeProductsPage(page: PageRequest): Promise<{ rows: ProductRecord[]; totalCount: number }> {
      const where = { active: true };
      const [rows, totalCount] = await Promise.all([
        prisma.product.findMany({
          where,
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
          take: page.first + 1,
          ...(page.after ? { cursor: { id: page.after }, skip: 1 } : {}),
        }),
        prisma.product.count({ where }),
      ]);
      return { rows, totalCount };
    },

    categoriesByIds: (ids: readonly string[]): Promise<CategoryRecord[]> =>
      prisma.category.findMany({ where: { id: { in: uuidsOnly(ids) } } }),

    childrenOfCategories: (parentIds: readonly string[]): Promise<CategoryRecord[]> =>
      prisma.category.findMany({ where: { parentId: { in: uuidsOnly(parentIds) } }, orderBy: { name: "asc" } }),

    topLevelCategories: (): Promise<CategoryRecord[]> => prisma.category.findMany({ where: { parentId: null }, orderBy: { name: "asc" } }),
  };
}

export type CatalogStore = ReturnType<typeof createCatalogStore>;
