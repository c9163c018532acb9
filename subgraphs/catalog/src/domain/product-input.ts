import { ErrorCode } from "@storefront/errors";
import { isUuid } from "@storefront/service";
import { type Price, validatePrice } from "./money.ts";
import { validateDisplayName, validateLongText } from "./text.ts";

export const MAX_PRODUCT_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 5_000;
export const MAX_IMAGES = 10;
export const MAX_IMAGE_URL_LENGTH = 2_048;

// Merchants' codes: letters, digits and a few separators; no spaces, so a SKU survives URLs, CSV files and labels.
const SKU = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A product as an admin describes it, before it is validated. */
export interface ProductInput {
  readonly sku: string;
  readonly name: string;
  readonly description?: string | null;
  readonly price: { readonly amount: number; readonly currency: string };
  readonly categoryId?: string | null;
  readonly images?: readonly string[] | null;
}

/** A valid new product. */
export interface NewProduct {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly price: Price;
  readonly categoryId: string | null;
  readonly imageUrls: string[];
}

/** What an admin asks to change; a field left out (undefined) stays as it is. */
export interface ProductChangesInput {
  readonly name?: string | null;
  readonly description?: string | null;
  readonly price?: { readonly amount: number; readonly currency: string } | null;
  readonly categoryId?: string | null;
  readonly images?: readonly string[] | null;
}

/** Valid changes to a product; only the keys present change. */
export interface ProductChanges {
  name?: string;
  description?: string;
  price?: Price;
  categoryId?: string | null;
  imageUrls?: string[];
}

function validateSku(sku: string): string {
  if (!SKU.test(sku)) {
    throw ErrorCode.BAD_USER_INPUT.err("input.sku must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.", {
      extensions: { argument: "input.sku" },
    });
  }
  return sku;
}

// A non-UUID names no category, which is the same mistake as naming one that does not exist.
function validateCategoryId(categoryId: string): string {
  if (!isUuid(categoryId)) {
    throw ErrorCode.BAD_USER_INPUT.err(`input.categoryId ${JSON.stringify(categoryId)} does not name a category.`, {
      extensions: { argument: "input.categoryId" },
    });
  }
  return categoryId;
}

function validateImages(images: readonly string[]): string[] {
  if (images.length > MAX_IMAGES) {
    throw ErrorCode.BAD_USER_INPUT.err(`input.images holds at most ${MAX_IMAGES} URLs.`, { extensions: { argument: "input.images" } });
  }
  return images.map((image, index) => {
    const argument = `input.images[${index}]`;
    // URL.parse is the WHATWG parser browsers use: what it accepts as http(s), an <img> can load.
    const url = image.length <= MAX_IMAGE_URL_LENGTH ? URL.parse(image) : null;
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      throw ErrorCode.BAD_USER_INPUT.err(`${argument} must be an http or https URL of at most ${MAX_IMAGE_URL_LENGTH} characters.`, {
        extensions: { argument },
      });
    }
    return url.href;
  });
}

/** Checks a new product's fields; throws BAD_USER_INPUT naming the first wrong one. */
export function validateNewProduct(input: ProductInput): NewProduct {
  return {
    sku: validateSku(input.sku),
    name: validateDisplayName(input.name, MAX_PRODUCT_NAME_LENGTH, "input.name"),
    description: validateLongText(input.description ?? "", MAX_DESCRIPTION_LENGTH, "input.description"),
    price: validatePrice(input.price, "input.price"),
    categoryId: input.categoryId == null ? null : validateCategoryId(input.categoryId),
    imageUrls: validateImages(input.images ?? []),
  };
}

const notNull = (field: string) =>
  ErrorCode.BAD_USER_INPUT.err(`input.${field} cannot be null; leave it out to keep it as it is.`, {
    extensions: { argument: `input.${field}` },
  });

/** Checks what an admin asks to change; at least one field must be given. */
export function validateProductChanges(input: ProductChangesInput): ProductChanges {
  const changes: ProductChanges = {};
  if (input.name !== undefined) {
    if (input.name === null) throw notNull("name");
    changes.name = validateDisplayName(input.name, MAX_PRODUCT_NAME_LENGTH, "input.name");
  }
  if (input.description !== undefined) {
    if (input.description === null) throw notNull("description");
    changes.description = validateLongText(input.description, MAX_DESCRIPTION_LENGTH, "input.description");
  }
  if (input.price !== undefined) {
    if (input.price === null) throw notNull("price");
    changes.price = validatePrice(input.price, "input.price");
  }
  if (input.categoryId !== undefined) changes.categoryId = input.categoryId === null ? null : validateCategoryId(input.categoryId);
  if (input.images !== undefined) {
    if (input.images === null) throw notNull("images");
    changes.imageUrls = validateImages(input.images);
  }
  if (Object.keys(changes).length === 0) {
    throw ErrorCode.BAD_USER_INPUT.err("input changes nothing: give at least one field.", { extensions: { argument: "input" } });
  }
  return changes;
}
