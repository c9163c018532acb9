import type { ListingFilter, ListingPosition, ProductSort } from "../domain/product-listing.ts";
import { Prisma } from "./generated/client.ts";

// The product listing as SQL: one statement for a page (the products whole, with their categories), one for the total
// count when it is asked for, whatever the filter and order. Prisma's query builder can express neither full-text
// matching nor a recursive category subtree, hence raw SQL, always through Prisma.sql so that every value travels as
// a bind parameter.

const { sql, join, empty } = Prisma;

/**
 * Matching search: product.search_document is a STORED generated column,
 *   to_tsvector('english', regexp_replace(sku || ' ' || name || ' ' || description, '[[:punct:]]+', ' ', 'g'))
 * (see the search_words_split_like_queries migration), with a GIN index: words split at punctuation, as the search
 * text is split (searchQueryFrom). The query must use the same 'english'
 * configuration so that stems line up ("kettles" → kettl). Full-text search rather than ILIKE '%…%': substring
 * matching can use no index without pg_trgm, which PGlite does not ship by default; a GIN-indexed tsvector works on
 * PostgreSQL and PGlite alike. The price: a word matches at its start only ("phones" does not find "Headphones"),
 * and a search made only of stop words ("the") finds nothing.
 */
function searchCondition(searchQuery: string): Prisma.Sql {
  return sql`p.search_document @@ to_tsquery('english', ${searchQuery})`;
}

/** Products filed under the category or anywhere below it: one recursive CTE, so any depth costs one statement. */
function categoryCondition(category: NonNullable<ListingFilter["category"]>): Prisma.Sql {
  const root = "id" in category ? sql`id = ${category.id}::uuid` : sql`slug = ${category.slug}`;
  // UNION (not UNION ALL) stops at rows already seen, so even a corrupted, cyclic tree cannot loop forever.
  return sql`p.category_id IN (
    WITH RECURSIVE subtree(id) AS (
      SELECT id FROM category WHERE ${root}
      UNION
      SELECT c.id FROM category c JOIN subtree s ON c.parent_id = s.id
    )
    SELECT id FROM subtree
  )`;
}

function filterConditions(filter: ListingFilter): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (!filter.includeArchived) conditions.push(sql`p.active`);
  if (filter.searchQuery !== null) conditions.push(searchCondition(filter.searchQuery));
  if (filter.category !== null) conditions.push(categoryCondition(filter.category));
  if (filter.price !== null) {
    conditions.push(sql`p.price_currency = ${filter.price.currency}`);
    if (filter.price.min !== null) conditions.push(sql`p.price_amount >= ${filter.price.min}::int`);
    if (filter.price.max !== null) conditions.push(sql`p.price_amount <= ${filter.price.max}::int`);
  }
  if (filter.inStock !== null) {
    // The catalog's own projection of inventory's stock (product_availability); never inventory's tables.
    const inStock = sql`EXISTS (SELECT 1 FROM product_availability a WHERE a.product_id = p.id AND a.in_stock)`;
    conditions.push(filter.inStock ? inStock : sql`NOT ${inStock}`);
  }
  return conditions;
}

/** Rows strictly after `position` in its order; row comparisons match the (sort key, id) indexes. */
function afterCondition(position: ListingPosition): Prisma.Sql {
  switch (position.sort) {
    case "NEWEST":
      return sql`(p.created_at, p.id) < (${position.createdAt}::timestamptz, ${position.id}::uuid)`;
    case "PRICE_ASC":
      return sql`(p.price_amount, p.id) > (${position.priceAmount}::int, ${position.id}::uuid)`;
    case "PRICE_DESC":
      return sql`(p.price_amount, p.id) < (${position.priceAmount}::int, ${position.id}::uuid)`;
    case "NAME":
      return sql`(p.name, p.id) > (${position.name}::text, ${position.id}::uuid)`;
  }
}

const orderBy: Record<ProductSort, Prisma.Sql> = {
  NEWEST: sql`p.created_at DESC, p.id DESC`,
  PRICE_ASC: sql`p.price_amount ASC, p.id ASC`,
  PRICE_DESC: sql`p.price_amount DESC, p.id DESC`,
  NAME: sql`p.name ASC, p.id ASC`,
};

const where = (conditions: Prisma.Sql[]) => (conditions.length > 0 ? sql`WHERE ${join(conditions, " AND ")}` : empty);

export interface ListingQuery {
  readonly filter: ListingFilter;
  readonly sort: ProductSort;
  readonly after: ListingPosition | null;
  readonly limit: number;
}

/** A listing row: the product's columns under their record names, its category's prefixed `category_`. */
export interface ListingRow {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly priceAmount: number;
  readonly priceCurrency: string;
  readonly categoryId: string | null;
  readonly imageUrls: string[];
  readonly active: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly category_slug: string | null;
  readonly category_name: string | null;
  readonly category_parentId: string | null;
  readonly category_createdAt: Date | null;
  readonly category_updatedAt: Date | null;
}

/**
 * One page of a listing in one statement: the products whole (the sort keys among them) and each one's category, so
 * that a page of products with their categories costs one round trip instead of three (ids, products, categories).
 */
export function listingPageSql({ filter, sort, after, limit }: ListingQuery): Prisma.Sql {
  const conditions = filterConditions(filter);
  if (after !== null) conditions.push(afterCondition(after));
  // image_urls is NULL for a product created without images; Prisma reads that as [], and so does this.
  return sql`SELECT p.id::text AS id, p.sku, p.name, p.description, p.price_amount AS "priceAmount",
      p.price_currency AS "priceCurrency", p.category_id::text AS "categoryId", COALESCE(p.image_urls, ARRAY[]::text[]) AS "imageUrls", p.active,
      p.created_at AS "createdAt", p.updated_at AS "updatedAt",
      c.slug AS category_slug, c.name AS category_name, c.parent_id::text AS "category_parentId",
      c.created_at AS "category_createdAt", c.updated_at AS "category_updatedAt"
    FROM product p LEFT JOIN category c ON c.id = p.category_id
    ${where(conditions)}
    ORDER BY ${orderBy[sort]}
    LIMIT ${limit}::int`;
}

/** How many products the filter matches over all pages: the same conditions, without the page's position. */
export function listingCountSql(filter: ListingFilter): Prisma.Sql {
  return sql`SELECT count(*)::int AS count FROM product p ${where(filterConditions(filter))}`;
}
