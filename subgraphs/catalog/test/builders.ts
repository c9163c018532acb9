import { randomUUID } from "node:crypto";
import type { Viewer } from "@storefront/auth";
import { createEvent, type EventOf } from "@storefront/events";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { applyAvailabilityChanged } from "../src/events/availability.ts";

let sequence = 0;

/** A word no other test uses, for searches and names that must not collide: letters and digits only. */
export const aUniqueWord = (prefix = "w") => `${prefix}${randomUUID().replaceAll("-", "").slice(0, 12)}`;

export const anAdmin = (): Viewer => ({ userId: randomUUID(), role: "ADMIN", scopes: ["admin"] });
export const aCustomer = (): Viewer => ({ userId: randomUUID(), role: "CUSTOMER", scopes: [] });

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
  overrides: {
    sku?: string;
    name?: string;
    description?: string;
    priceAmount?: number;
    currency?: string;
    categoryId?: string | null;
    active?: boolean;
    createdAt?: Date;
  } = {},
) {
  sequence += 1;
  return prisma.product.create({
    data: {
      sku: overrides.sku ?? `SKU-${sequence}-${randomUUID().slice(0, 8)}`,
      name: overrides.name ?? `Product ${sequence}`,
      description: overrides.description ?? "",
      priceAmount: overrides.priceAmount ?? 1_000 + sequence,
      priceCurrency: overrides.currency ?? "EUR",
      categoryId: overrides.categoryId ?? null,
      active: overrides.active ?? true,
      ...(overrides.createdAt ? { createdAt: overrides.createdAt } : {}),
    },
  });
}

/** Applies an availability report through the handler, in a transaction (without the consumer's bookkeeping). */
export function anAvailabilityReport(prisma: PrismaClient, report: { productId: string; inStock: boolean; version: number }) {
  return prisma.$transaction((tx) =>
    applyAvailabilityChanged(tx, { ...report, available: report.inStock ? 1 : 0, changedAt: new Date().toISOString() }),
  );
}

/** An `inventory.availability_changed.v1` event, as inventory publishes it. */
export function anAvailabilityChanged(report: {
  productId: string;
  available: number;
  version: number;
}): EventOf<"inventory.availability_changed.v1"> {
  return createEvent({
    type: "inventory.availability_changed.v1",
    source: "/storefront/inventory",
    data: { ...report, inStock: report.available > 0, changedAt: new Date().toISOString() },
  });
}

/** Every product and category, to compare before and after an operation that must change nothing. */
export async function catalogState(prisma: PrismaClient) {
  const [products, categories] = await Promise.all([
    prisma.product.findMany({ orderBy: { id: "asc" } }),
    prisma.category.findMany({ orderBy: { id: "asc" } }),
  ]);
  return { products, categories };
}
