import { ErrorCode } from "@storefront/errors";
import { isUuid } from "@storefront/service";

/** The orders a product listing can have; each ends with the product id so that it is total. */
export const productSorts = ["NEWEST", "PRICE_ASC", "PRICE_DESC", "NAME"] as const;
export type ProductSort = (typeof productSorts)[number];

export const MAX_SEARCH_LENGTH = 200;
export const MAX_SEARCH_WORDS = 16;

/** Which products a listing shows, validated. */
export interface ListingFilter {
  readonly includeArchived: boolean;
  /** A to_tsquery('english', …) expression built from letters and digits only; null for no search. */
  readonly searchQuery: string | null;
  /** The category whose subtree to list, by id or slug; null for every category (and none). */
  readonly category: { readonly id: string } | { readonly slug: string } | null;
  readonly price: { readonly currency: string; readonly min: number | null; readonly max: number | null } | null;
  readonly inStock: boolean | null;
}

/** The filter as the client sent it. */
export interface ListingFilterInput {
  readonly search?: string | null;
  readonly categoryId?: string | null;
  readonly categorySlug?: string | null;
  readonly price?: { readonly min?: number | null; readonly max?: number | null; readonly currency: string } | null;
  readonly inStock?: boolean | null;
  readonly includeArchived?: boolean | null;
}

/**
 * Where a product sits in a listing: its sort key, then its id (the tie-breaker). A page continues after one of
 * these (keyset pagination): no OFFSET to scan past, and no product skipped or repeated when others are added.
 */
export type ListingPosition =
  | { readonly sort: "NEWEST"; readonly createdAt: Date; readonly id: string }
  | { readonly sort: "PRICE_ASC" | "PRICE_DESC"; readonly priceAmount: number; readonly id: string }
  | { readonly sort: "NAME"; readonly name: string; readonly id: string };

/** What a listing query returns per product: its id and every sort key. */
export interface ListedProduct {
  readonly id: string;
  readonly createdAt: Date;
  readonly priceAmount: number;
  readonly name: string;
}

const badFilter = (message: string, argument: string) => ErrorCode.BAD_USER_INPUT.err(message, { extensions: { argument } });

/**
 * Turns search text into a prefix-matching full-text query: every word must match the start of a word of the
 * product ("head phone" finds "Headphones and phone stand"). Only runs of letters and digits reach to_tsquery,
 * so no input can smuggle in tsquery operators.
 */
export function searchQueryFrom(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.length > MAX_SEARCH_LENGTH)
    throw badFilter(`filter.search must be at most ${MAX_SEARCH_LENGTH} characters.`, "filter.search");
  if (trimmed.length === 0) return null;
  const words = trimmed
    .toLowerCase()
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((word) => word.length > 0);
  if (words.length === 0) throw badFilter("filter.search needs at least one letter or digit to look for.", "filter.search");
  if (words.length > MAX_SEARCH_WORDS) throw badFilter(`filter.search may hold at most ${MAX_SEARCH_WORDS} words.`, "filter.search");
  return words.map((word) => `${word}:*`).join(" & ");
}

function priceRangeFrom(range: NonNullable<ListingFilterInput["price"]>): ListingFilter["price"] {
  const min = range.min ?? null;
  const max = range.max ?? null;
  for (const [bound, value] of [
    ["min", min],
    ["max", max],
  ] as const) {
    if (value !== null && (!Number.isSafeInteger(value) || value < 0)) {
      throw badFilter(`filter.price.${bound} must be a whole number of minor units, 0 or more.`, `filter.price.${bound}`);
    }
  }
  if (min !== null && max !== null && min > max) throw badFilter("filter.price.min must not be above filter.price.max.", "filter.price");
  return { currency: range.currency, min, max };
}

/**
 * Validates a listing filter. Returns null when the filter can match nothing without asking the database: a
 * category id that is not a UUID names no category.
 */
export function listingFilterFrom(input: ListingFilterInput | null | undefined): ListingFilter | null {
  const filter = input ?? {};
  if (filter.categoryId != null && filter.categorySlug != null) {
    throw badFilter("Give at most one of filter.categoryId and filter.categorySlug.", "filter.categoryId");
  }
  if (filter.categoryId != null && !isUuid(filter.categoryId)) return null;
  return {
    includeArchived: filter.includeArchived ?? false,
    searchQuery: filter.search == null ? null : searchQueryFrom(filter.search),
    category: filter.categoryId != null ? { id: filter.categoryId } : filter.categorySlug != null ? { slug: filter.categorySlug } : null,
    price: filter.price == null ? null : priceRangeFrom(filter.price),
    inStock: filter.inStock ?? null,
  };
}

/** A listed product's position in a listing of the given order. */
export function positionOf(sort: ProductSort, product: ListedProduct): ListingPosition {
  switch (sort) {
    case "NEWEST":
      return { sort, createdAt: product.createdAt, id: product.id };
    case "PRICE_ASC":
    case "PRICE_DESC":
      return { sort, priceAmount: product.priceAmount, id: product.id };
    case "NAME":
      return { sort, name: product.name, id: product.id };
  }
}

// v2: v1 cursors (packages/service) wrap a bare id; these carry the sort key as well.
const CURSOR_VERSION = "p2";
const MAX_CURSOR_LENGTH = 2_000;

function sortKeyOf(position: ListingPosition): string | number {
  switch (position.sort) {
    case "NEWEST":
      return position.createdAt.toISOString();
    case "PRICE_ASC":
    case "PRICE_DESC":
      return position.priceAmount;
    case "NAME":
      return position.name;
  }
}

/** The opaque cursor of a position: base64url of [version, sort, sort key, id]. Opaque, not secret: any position a client could forge is one it could page to anyway. */
export function encodeListingCursor(position: ListingPosition): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, position.sort, sortKeyOf(position), position.id]), "utf8").toString("base64url");
}

const notOurCursor = () => badFilter("`after` is not a cursor returned by this API.", "after");

function parseCursor(cursor: string): unknown {
  if (cursor.length > MAX_CURSOR_LENGTH) throw notOurCursor();
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw notOurCursor();
  }
}

function isSort(value: unknown): value is ProductSort {
  return typeof value === "string" && (productSorts as readonly string[]).includes(value);
}

/** Decodes `after` for a listing ordered by `sort`; a cursor of another order would start the page anywhere, so it is refused. */
export function decodeListingCursor(cursor: string, sort: ProductSort): ListingPosition {
  const parsed = parseCursor(cursor);
  if (!Array.isArray(parsed) || parsed.length !== 4) throw notOurCursor();
  const [version, cursorSort, key, id] = parsed as unknown[];
  if (version !== CURSOR_VERSION || !isSort(cursorSort) || !isUuid(id)) throw notOurCursor();
  if (cursorSort !== sort) {
    throw badFilter(`\`after\` is a cursor of a listing sorted by ${cursorSort}, not ${sort}; start again without \`after\`.`, "after");
  }
  switch (cursorSort) {
    case "NEWEST": {
      const createdAt = typeof key === "string" ? new Date(key) : null;
      if (!createdAt || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== key) throw notOurCursor();
      return { sort: cursorSort, createdAt, id };
    }
    case "PRICE_ASC":
    case "PRICE_DESC":
      if (typeof key !== "number" || !Number.isSafeInteger(key)) throw notOurCursor();
      return { sort: cursorSort, priceAmount: key, id };
    case "NAME":
      if (typeof key !== "string") throw notOurCursor();
      return { sort: cursorSort, name: key, id };
  }
}
