import { ErrorCode } from "@storefront/errors";
import { isUuid } from "@storefront/service";
import { MAX_AMOUNT, type Money, sumOf } from "./money.ts";

/** Units of one product a cart line may hold. */
export const MAX_QUANTITY_PER_LINE = 99;
/** Different products a cart may hold. */
export const MAX_LINES = 100;

/** What the catalog says about a product now; the cart keeps nothing of it. */
export interface CatalogProduct {
  readonly id: string;
  readonly active: boolean;
  readonly price: Money;
}

/** A cart line with what the catalog says about its product (null: the catalog does not know it). */
export interface LineWithProduct {
  readonly quantity: number;
  readonly product: CatalogProduct | null;
}

/** Only a product the catalog knows and has not archived can be bought. */
export function isPurchasable(product: CatalogProduct | null): product is CatalogProduct {
  return product?.active === true;
}

/** What the purchasable lines cost together at current prices (see sumOf for when that is null). */
export function subtotalOf(lines: readonly LineWithProduct[]): Money | null {
  return sumOf(lines.flatMap(({ product, quantity }) => (isPurchasable(product) ? [{ unitPrice: product.price, quantity }] : [])));
}

export function assertProductId(productId: string): void {
  if (!isUuid(productId)) throw ErrorCode.BAD_USER_INPUT.err("productId is not a product id.", { extensions: { argument: "productId" } });
}

export function assertQuantity(quantity: number): void {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY_PER_LINE) {
    throw ErrorCode.BAD_USER_INPUT.err(`quantity must be a whole number from 1 to ${MAX_QUANTITY_PER_LINE}.`, {
      extensions: { argument: "quantity", maxQuantity: MAX_QUANTITY_PER_LINE },
    });
  }
}

/** NOT_FOUND for a product the catalog does not know, BAD_USER_INPUT for an archived one. */
export function assertPurchasable(productId: string, product: CatalogProduct | null): asserts product is CatalogProduct {
  if (!product) {
    throw ErrorCode.NOT_FOUND.err(`Product ${productId} does not exist.`, { extensions: { argument: "productId", productId } });
  }
  if (!product.active) {
    throw ErrorCode.BAD_USER_INPUT.err(`Product ${productId} is archived and can no longer be bought.`, {
      extensions: { argument: "productId", productId },
    });
  }
}

export function tooManyLinesError() {
  return ErrorCode.BAD_USER_INPUT.err(`A cart holds at most ${MAX_LINES} different products; remove one first.`, {
    extensions: { argument: "productId", maxLines: MAX_LINES },
  });
}

export function assertRoomForAnotherLine(lineCount: number): void {
  if (lineCount >= MAX_LINES) throw tooManyLinesError();
}

export function notInCartError(productId: string) {
  return ErrorCode.NOT_FOUND.err(`Product ${productId} is not in your cart; add it with addToCart.`, {
    extensions: { argument: "productId", productId },
  });
}

/**
 * A cart is priced in one currency, as an order must be: a product priced in another currency than the
 * purchasable products already in the cart is refused (CONFLICT), rather than accepted into a cart that
 * checkout would then refuse as a whole.
 */
export function assertCartCurrency(product: CatalogProduct, cartProducts: readonly (CatalogProduct | null)[]): void {
  const cartCurrency = cartProducts.find(isPurchasable)?.price.currency;
  if (cartCurrency && cartCurrency !== product.price.currency) {
    throw ErrorCode.CONFLICT.err(
      `Your cart is priced in ${cartCurrency} and this product in ${product.price.currency}; one cart holds one currency.`,
      { extensions: { argument: "productId", cartCurrency, productCurrency: product.price.currency } },
    );
  }
}

/** The most units a line may hold when the inventory has `available` of the product. */
export function lineLimit(available: number): number {
  return Math.max(0, Math.min(MAX_QUANTITY_PER_LINE, available));
}

/** The error for a line that would hold `wanted` units, when that is more than lineLimit(available); null when it fits. */
export function lineLimitError({ wanted, inCart, available }: { wanted: number; inCart: number; available: number }) {
  const holds = inCart > 0 ? ` Your cart already holds ${inCart}.` : "";
  if (wanted > MAX_QUANTITY_PER_LINE) {
    return ErrorCode.BAD_USER_INPUT.err(`A cart holds at most ${MAX_QUANTITY_PER_LINE} units of one product.${holds}`, {
      extensions: { argument: "quantity", maxQuantity: MAX_QUANTITY_PER_LINE, inCart },
    });
  }
  if (wanted > available) {
    const message =
      available > 0
        ? `Only ${available} of this product ${available === 1 ? "is" : "are"} available.${holds}`
        : "This product is out of stock.";
    return ErrorCode.OUT_OF_STOCK.err(message, { extensions: { available: Math.max(0, available), inCart } });
  }
  return null;
}

/** BAD_USER_INPUT when a line would hold more than MAX_QUANTITY_PER_LINE units, whatever the stock: checked before asking anyone. */
export function assertWithinLineMaximum({ wanted, inCart }: { wanted: number; inCart: number }): void {
  const error = lineLimitError({ wanted, inCart, available: Number.POSITIVE_INFINITY });
  if (error) throw error;
}

export function assertLineFits(line: { wanted: number; inCart: number; available: number }): void {
  const error = lineLimitError(line);
  if (error) throw error;
}

/** The cart's subtotal after a change must stay an amount the schema can show. */
export function assertSubtotalRepresentable(lines: readonly LineWithProduct[]): void {
  const priced = lines.filter((line) => isPurchasable(line.product));
  const total = priced.reduce((sum, line) => sum + (line.product?.price.amount ?? 0) * line.quantity, 0);
  if (total > MAX_AMOUNT) {
    throw ErrorCode.BAD_USER_INPUT.err("That would make the cart's total larger than the shop can handle in one order.", {
      extensions: { argument: "quantity" },
    });
  }
}
