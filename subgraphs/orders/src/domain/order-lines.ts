import { ErrorCode } from "@storefront/errors";
import { isUuid } from "@storefront/service";

/** A cart holds at most 100 items, and each becomes one line. */
export const MAX_LINES = 100;
export const MAX_QUANTITY = 100;

export interface RequestedLine {
  readonly productId: string;
  readonly quantity: number;
}

/** What the catalog says about a product at the moment the order is placed. */
export interface ProductSnapshot {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly active: boolean;
  readonly price: { readonly amount: number; readonly currency: string };
}

export interface PricedLine {
  readonly productId: string;
  readonly sku: string;
  readonly productName: string;
  readonly quantity: number;
  readonly unitPriceAmount: number;
  readonly currency: string;
}

export interface PricedOrder {
  readonly lines: readonly PricedLine[];
  readonly currency: string;
  readonly subtotalAmount: number;
  readonly totalAmount: number;
}

/** Checks the shape of what a customer asked for, before anything is looked up. */
export function validateRequestedLines(lines: readonly RequestedLine[]): void {
  if (lines.length === 0) throw ErrorCode.BAD_USER_INPUT.err("An order needs at least one item.", { extensions: { argument: "items" } });
  if (lines.length > MAX_LINES)
    throw ErrorCode.BAD_USER_INPUT.err(`An order has at most ${MAX_LINES} items.`, { extensions: { argument: "items" } });
  const seen = new Set<string>();
  for (const [index, line] of lines.entries()) {
    const argument = `items[${index}]`;
    if (!isUuid(line.productId))
      throw ErrorCode.BAD_USER_INPUT.err(`${argument}.productId is not a product id.`, { extensions: { argument } });
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
      throw ErrorCode.BAD_USER_INPUT.err(`${argument}.quantity must be between 1 and ${MAX_QUANTITY}.`, { extensions: { argument } });
    }
    if (seen.has(line.productId))
      throw ErrorCode.BAD_USER_INPUT.err(`${argument} repeats a product; give each product once.`, { extensions: { argument } });
    seen.add(line.productId);
  }
}

/** Prices the lines from catalog snapshots; the client never supplies a price. */
export function priceOrder(lines: readonly RequestedLine[], snapshots: ReadonlyMap<string, ProductSnapshot>): PricedOrder {
  const priced = lines.map((line) => {
    const product = snapshots.get(line.productId);
    if (!product) {
      throw ErrorCode.BAD_USER_INPUT.err(`Product ${line.productId} is no longer sold; remove it from your cart.`, {
        extensions: { reason: "product_unavailable", productId: line.productId },
      });
    }
    if (!product.active) {
      throw ErrorCode.BAD_USER_INPUT.err(`${product.name} is no longer sold; remove it from your cart.`, {
        extensions: { reason: "product_unavailable", productId: line.productId },
      });
    }
    return {
      productId: product.id,
      sku: product.sku,
      productName: product.name,
      quantity: line.quantity,
      unitPriceAmount: product.price.amount,
      currency: product.price.currency,
    };
  });
  const currencies = new Set(priced.map((line) => line.currency));
  if (currencies.size !== 1) throw ErrorCode.BAD_USER_INPUT.err("All items of an order must be priced in one currency.");
  const subtotalAmount = priced.reduce((sum, line) => sum + line.unitPriceAmount * line.quantity, 0);
  return {
    lines: priced,
    currency: [...currencies][0] as string,
    subtotalAmount,
    // Shipping, taxes and discounts join here when the shop has them.
    totalAmount: subtotalAmount,
  };
}
