import { ErrorCode } from "@storefront/errors";
import { isUuid } from "@storefront/service";
import { validateDisplayName } from "./text.ts";

export const MAX_CATEGORY_NAME_LENGTH = 100;
export const MAX_SLUG_LENGTH = 64;

// Lower-case ASCII words joined by single hyphens: safe in any URL without escaping.
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface CategoryInput {
  readonly name: string;
  readonly slug?: string | null;
  readonly parentId?: string | null;
}

export interface NewCategory {
  readonly name: string;
  readonly slug: string;
  readonly parentId: string | null;
}

export interface CategoryChangesInput {
  readonly name?: string | null;
  readonly slug?: string | null;
}

export interface CategoryChanges {
  name?: string;
  slug?: string;
}

function validateSlug(slug: string, argument: string): string {
  if (slug.length > MAX_SLUG_LENGTH || !SLUG.test(slug)) {
    throw ErrorCode.BAD_USER_INPUT.err(
      `${argument} must be lower-case letters and digits in groups joined by '-', at most ${MAX_SLUG_LENGTH} characters (e.g. home-kitchen).`,
      { extensions: { argument } },
    );
  }
  return slug;
}

/** The slug a name suggests: "Home & Kitchen" → "home-kitchen", "Café" → "cafe"; empty when nothing is left. */
export function slugFromName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/^-+|-+$/g, "");
}

/** A category id an admin gave (a parent, or the category to act on). */
export function validateCategoryReference(id: string, argument: string): string {
  if (!isUuid(id))
    throw ErrorCode.BAD_USER_INPUT.err(`${argument} ${JSON.stringify(id)} does not name a category.`, { extensions: { argument } });
  return id;
}

/** Checks a new category; the slug defaults to one derived from the name. */
export function validateNewCategory(input: CategoryInput): NewCategory {
  const name = validateDisplayName(input.name, MAX_CATEGORY_NAME_LENGTH, "input.name");
  let slug: string;
  if (input.slug != null) slug = validateSlug(input.slug, "input.slug");
  else {
    slug = slugFromName(name);
    if (!slug) {
      throw ErrorCode.BAD_USER_INPUT.err("input.slug is needed: no slug can be derived from this name.", {
        extensions: { argument: "input.slug" },
      });
    }
  }
  return { name, slug, parentId: input.parentId == null ? null : validateCategoryReference(input.parentId, "input.parentId") };
}

/** Checks a rename; at least one field must be given. */
export function validateCategoryChanges(input: CategoryChangesInput): CategoryChanges {
  for (const field of ["name", "slug"] as const) {
    if (input[field] === null) {
      throw ErrorCode.BAD_USER_INPUT.err(`input.${field} cannot be null; leave it out to keep it as it is.`, {
        extensions: { argument: `input.${field}` },
      });
    }
  }
  const changes: CategoryChanges = {};
  if (input.name != null) changes.name = validateDisplayName(input.name, MAX_CATEGORY_NAME_LENGTH, "input.name");
  if (input.slug != null) changes.slug = validateSlug(input.slug, "input.slug");
  if (Object.keys(changes).length === 0) {
    throw ErrorCode.BAD_USER_INPUT.err("input changes nothing: give a name or a slug.", { extensions: { argument: "input" } });
  }
  return changes;
}
