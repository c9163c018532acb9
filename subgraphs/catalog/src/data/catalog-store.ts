import type { OutboxSignal } from "@storefront/runtime";
import { uuidsOnly } from "@storefront/service";
import type { CategoryChanges, NewCategory } from "../domain/category-input.ts";
import type { NewProduct, ProductChanges } from "../domain/product-input.ts";
import type { ListedProduct } from "../domain/product-listing.ts";
import { announceCategoryChanged, announceProductChanged, type CategoryChange, type ProductChange } from "../events/catalog-changes.ts";
import type { PrismaClient } from "./generated/client.ts";
import { type ListingQuery, type ListingRow, listingCountSql, listingPageSql } from "./listing-sql.ts";
import { prismaErrorCode } from "./prisma-errors.ts";
import type { CatalogTransaction, CategoryRecord, ProductRecord } from "./records.ts";

/** What creating a product did. */
export type CreateProductOutcome =
  | { readonly outcome: "created"; readonly product: ProductRecord }
  | { readonly outcome: "duplicate_sku" }
  | { readonly outcome: "unknown_category" };

/** What changing a product did. */
export type UpdateProductOutcome =
  | { readonly outcome: "updated"; readonly product: ProductRecord }
  | { readonly outcome: "not_found" }
  | { readonly outcome: "unknown_category" };

/** What creating a category did. */
export type CreateCategoryOutcome =
  | { readonly outcome: "created"; readonly category: CategoryRecord }
  | { readonly outcome: "duplicate_slug" }
  | { readonly outcome: "unknown_parent" };

/** What renaming a category did. */
export type UpdateCategoryOutcome =
  | { readonly outcome: "updated"; readonly category: CategoryRecord }
  | { readonly outcome: "not_found" }
  | { readonly outcome: "duplicate_slug" };

/** What moving a category did. */
export type MoveCategoryOutcome =
  | { readonly outcome: "moved"; readonly category: CategoryRecord }
  | { readonly outcome: "not_found" }
  | { readonly outcome: "unknown_parent" }
  | { readonly outcome: "cycle" };

/** A category and one of the categories above it, `depth` levels up (1: its parent). */
export interface AncestorLink {
  readonly categoryId: string;
  readonly ancestorId: string;
  readonly depth: number;
}

// A cap on walking up the tree: the tree is never cyclic (moveCategory refuses), this only bounds a corrupted one.
const MAX_TREE_DEPTH = 64;

const productData = (product: NewProduct) => ({
  sku: product.sku,
  name: product.name,
  description: product.description,
  priceAmount: product.price.amount,
  priceCurrency: product.price.currency,
  categoryId: product.categoryId,
  imageUrls: product.imageUrls,
});

function productChangesData(changes: ProductChanges) {
  return {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.description !== undefined ? { description: changes.description } : {}),
    ...(changes.price !== undefined ? { priceAmount: changes.price.amount, priceCurrency: changes.price.currency } : {}),
    ...(changes.categoryId !== undefined ? { categoryId: changes.categoryId } : {}),
    ...(changes.imageUrls !== undefined ? { imageUrls: changes.imageUrls } : {}),
  };
}

/** What a product update changes, in the words of catalog.product_changed.v1. */
function productChangeNames(changes: ProductChanges): ProductChange[] {
  const names: ProductChange[] = [];
  if (changes.name !== undefined) names.push("name");
  if (changes.description !== undefined) names.push("description");
  if (changes.price !== undefined) names.push("price");
  if (changes.categoryId !== undefined) names.push("category");
  if (changes.imageUrls !== undefined) names.push("images");
  return names;
}

function categoryChangeNames(changes: CategoryChanges): CategoryChange[] {
  const names: CategoryChange[] = [];
  if (changes.name !== undefined) names.push("name");
  if (changes.slug !== undefined) names.push("slug");
  return names;
}

/** A product of a listing page, whole, with its category (null when it has none). */
export interface ListedProductRow {
  readonly product: ProductRecord & ListedProduct;
  readonly category: CategoryRecord | null;
}

function listedProductRow(row: ListingRow): ListedProductRow {
  const { category_slug, category_name, category_parentId, category_createdAt, category_updatedAt, ...product } = row;
  const category =
    product.categoryId !== null && category_slug !== null && category_name !== null && category_createdAt && category_updatedAt
      ? {
          id: product.categoryId,
          slug: category_slug,
          name: category_name,
          parentId: category_parentId,
          createdAt: category_createdAt,
          updatedAt: category_updatedAt,
        }
      : null;
  return { product, category };
}

/**
 * Every read and write of products and categories; with availability-store, the only code that talks to the catalog's
 * database. Every change is announced (catalog.product_changed, catalog.category_changed) in its own transaction.
 */
export function createCatalogStore(prisma: PrismaClient, outbox: OutboxSignal) {
  /** Runs a change and its announcement in one transaction, then wakes the relay so the event leaves at once. */
  async function announced<T>(change: (tx: CatalogTransaction) => Promise<T>): Promise<T> {
    const result = await prisma.$transaction(change);
    outbox.notify();
    return result;
  }

  return {
    productsByIds: (ids: readonly string[]): Promise<ProductRecord[]> => prisma.product.findMany({ where: { id: { in: uuidsOnly(ids) } } }),

    productsBySkus: (skus: readonly string[]): Promise<ProductRecord[]> => prisma.product.findMany({ where: { sku: { in: [...skus] } } }),

    /**
     * One page of a listing (`limit` products at most, each whole with its category) in one statement, and the
     * listing's total in a second one only when `counted` (a client that asks for no totalCount pays for none).
     */
    async listProducts(query: ListingQuery, counted: boolean): Promise<{ rows: ListedProductRow[]; totalCount: number | null }> {
      const [rows, count] = await Promise.all([
        prisma.$queryRaw<ListingRow[]>(listingPageSql(query)),
        counted ? prisma.$queryRaw<{ count: number }[]>(listingCountSql(query.filter)) : null,
      ]);
      return { rows: rows.map(listedProductRow), totalCount: count ? (count[0]?.count ?? 0) : null };
    },

    async createProduct(product: NewProduct): Promise<CreateProductOutcome> {
      try {
        const created = await announced(async (tx) => {
          const row = await tx.product.create({ data: productData(product) });
          await announceProductChanged(tx, row.id, ["created"]);
          return row;
        });
        return { outcome: "created", product: created };
      } catch (error) {
        // The constraints decide, so two admins racing for one SKU cannot both win.
        const code = prismaErrorCode(error);
        if (code === "P2002") return { outcome: "duplicate_sku" };
        if (code === "P2003") return { outcome: "unknown_category" };
        throw error;
      }
    },

    async updateProduct(id: string, changes: ProductChanges): Promise<UpdateProductOutcome> {
      try {
        const updated = await announced(async (tx) => {
          const row = await tx.product.update({ where: { id }, data: productChangesData(changes) });
          await announceProductChanged(tx, id, productChangeNames(changes));
          return row;
        });
        return { outcome: "updated", product: updated };
      } catch (error) {
        const code = prismaErrorCode(error);
        if (code === "P2025") return { outcome: "not_found" };
        if (code === "P2003") return { outcome: "unknown_category" };
        throw error;
      }
    },

    /** Archives (false) or restores (true) a product; null when there is no such product. */
    async setProductActive(id: string, active: boolean): Promise<ProductRecord | null> {
      try {
        return await announced(async (tx) => {
          const row = await tx.product.update({ where: { id }, data: { active } });
          await announceProductChanged(tx, id, [active ? "restored" : "archived"]);
          return row;
        });
      } catch (error) {
        if (prismaErrorCode(error) === "P2025") return null;
        throw error;
      }
    },

    categoriesByIds: (ids: readonly string[]): Promise<CategoryRecord[]> =>
      prisma.category.findMany({ where: { id: { in: uuidsOnly(ids) } } }),

    categoriesBySlugs: (slugs: readonly string[]): Promise<CategoryRecord[]> =>
      prisma.category.findMany({ where: { slug: { in: [...slugs] } } }),

    childrenOfCategories: (parentIds: readonly string[]): Promise<CategoryRecord[]> =>
      prisma.category.findMany({ where: { parentId: { in: uuidsOnly(parentIds) } }, orderBy: [{ name: "asc" }, { id: "asc" }] }),

    /** The whole tree in one statement, by name. */
    allCategories: (): Promise<CategoryRecord[]> => prisma.category.findMany({ orderBy: [{ name: "asc" }, { id: "asc" }] }),

    /** Every category above each given one, in one recursive statement. */
    ancestorLinks(ids: readonly string[]): Promise<AncestorLink[]> {
      const known = uuidsOnly(ids);
      if (known.length === 0) return Promise.resolve([]);
      return prisma.$queryRaw<AncestorLink[]>`
        WITH RECURSIVE up(category_id, ancestor_id, depth) AS (
          SELECT c.id, c.parent_id, 1 FROM category c WHERE c.id = ANY(${known}::uuid[]) AND c.parent_id IS NOT NULL
          UNION ALL
          SELECT up.category_id, c.parent_id, up.depth + 1 FROM up JOIN category c ON c.id = up.ancestor_id
          WHERE c.parent_id IS NOT NULL AND up.depth < ${MAX_TREE_DEPTH}::int
        )
        SELECT category_id::text AS "categoryId", ancestor_id::text AS "ancestorId", depth FROM up`;
    },

    async createCategory(category: NewCategory): Promise<CreateCategoryOutcome> {
      try {
        const created = await announced(async (tx) => {
          const row = await tx.category.create({ data: category });
          await announceCategoryChanged(tx, row.id, ["created"]);
          return row;
        });
        return { outcome: "created", category: created };
      } catch (error) {
        const code = prismaErrorCode(error);
        if (code === "P2002") return { outcome: "duplicate_slug" };
        if (code === "P2003") return { outcome: "unknown_parent" };
        throw error;
      }
    },

    async updateCategory(id: string, changes: CategoryChanges): Promise<UpdateCategoryOutcome> {
      try {
        const updated = await announced(async (tx) => {
          const row = await tx.category.update({ where: { id }, data: changes });
          await announceCategoryChanged(tx, id, categoryChangeNames(changes));
          return row;
        });
        return { outcome: "updated", category: updated };
      } catch (error) {
        const code = prismaErrorCode(error);
        if (code === "P2025") return { outcome: "not_found" };
        if (code === "P2002") return { outcome: "duplicate_slug" };
        throw error;
      }
    },

    /** Re-parents a category (null: top level), refusing a move under itself or its own subtree. */
    moveCategory(id: string, parentId: string | null): Promise<MoveCategoryOutcome> {
      return announced(async (tx): Promise<MoveCategoryOutcome> => {
        // One move at a time: two concurrent moves (A under B, B under A) could each pass the check alone.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('catalog:category-tree'))`;
        const category = await tx.category.findUnique({ where: { id } });
        if (!category) return { outcome: "not_found" };
        if (parentId !== null) {
          // The new parent and everything above it; the moved category must not be among them.
          const lineage = await tx.$queryRaw<{ id: string }[]>`
            WITH RECURSIVE up(id) AS (
              SELECT id FROM category WHERE id = ${parentId}::uuid
              UNION
              SELECT c.parent_id FROM category c JOIN up ON c.id = up.id WHERE c.parent_id IS NOT NULL
            )
            SELECT id::text AS id FROM up`;
          if (lineage.length === 0) return { outcome: "unknown_parent" };
          if (lineage.some((row) => row.id === id)) return { outcome: "cycle" };
        }
        if (category.parentId === parentId) return { outcome: "moved", category };
        const moved = await tx.category.update({ where: { id }, data: { parentId } });
        await announceCategoryChanged(tx, id, ["parent"]);
        return { outcome: "moved", category: moved };
      });
    },
  };
}

export type CatalogStore = ReturnType<typeof createCatalogStore>;
