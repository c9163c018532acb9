import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../src/data/generated/client.ts";

let sequence = 0;

/** Inserts a category; every field can be overridden. */
export function aCategory(prisma: PrismaClient, overrides: { slug?: string; name?: string; parentId?: string | null } = {}) {
  sequence += 1;
  return prisma.category.create({
    data: {
      slug: overrides.slug ?? `category-${sequence}-${randomUUID().slice(0, 8)}`,
      name: overrides.name ?? `Category ${sequence}`,
      parentId: overrides.parentId ?? null,
    },
  });
}

/** Inserts a product; every field can be overridden. */
export function aProduct(
  prisma: PrismaClient,
  overrides: { sku?: string; name?: string; priceAmount?: number; categoryId?: string | null; active?: boolean; createdAt?: Date } = {},
) {
  sequence += 1;
  return prisma.product.create({
    data: {
      sku: overrides.sku ?? `SKU-${sequence}-${randomUUID().slice(0, 8)}`,
      name: overrides.name ?? `Product ${sequence}`,
      priceAmount: overrides.priceAmount ?? 1_000 + sequence,
      priceCurrency: "EUR",
      categoryId: overrides.categoryId ?? null,
      active: overrides.active ?? true,
      ...(overrides.createdAt ? { createdAt: overrides.createdAt } : {}),
    },
  });
}
