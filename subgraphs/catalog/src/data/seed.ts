import { demoCategories, demoProducts } from "@storefront/demo-data";
import type { PrismaClient } from "./generated/client.ts";

/**
 * Seeds the demo catalog, with the availability of each demo product as the inventory subgraph seeds its stock
 * (both from @storefront/demo-data), version 0, so that any report inventory sends later wins. Running it again
 * changes nothing.
 */
export async function seedDemoCatalog(prisma: PrismaClient): Promise<void> {
  const idOf = new Map(demoCategories.map((c) => [c.slug, c.id]));
  // Parents first, so every parent_id refers to an existing row.
  const ordered = [...demoCategories].sort((a, b) => Number(a.parentSlug !== null) - Number(b.parentSlug !== null));
  await prisma.category.createMany({
    skipDuplicates: true,
    data: ordered.map((c) => ({ id: c.id, slug: c.slug, name: c.name, parentId: c.parentSlug ? (idOf.get(c.parentSlug) ?? null) : null })),
  });
  await prisma.product.createMany({
    skipDuplicates: true,
    data: demoProducts.map((p) => ({
      id: p.id,
      sku: p.sku,
      name: p.name,
      description: p.description,
      priceAmount: p.priceAmount,
      priceCurrency: p.currency,
      categoryId: idOf.get(p.categorySlug) ?? null,
      imageUrls: [`https://picsum.photos/seed/${p.sku.toLowerCase()}/640/480`],
    })),
  });
  await prisma.productAvailability.createMany({
    skipDuplicates: true,
    data: demoProducts.map((p) => ({ productId: p.id, inStock: p.stock > 0, version: 0n, changedAt: new Date() })),
  });
}
