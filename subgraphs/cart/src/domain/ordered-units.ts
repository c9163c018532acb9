/** A product and a number of its units. */
export interface UnitsOfProduct {
  readonly productId: string;
  readonly quantity: number;
}

/** The units per product of an order's lines (an order may list a product twice). */
export function unitsPerProduct(items: readonly UnitsOfProduct[]): UnitsOfProduct[] {
  const units = new Map<string, number>();
  for (const item of items) units.set(item.productId, (units.get(item.productId) ?? 0) + item.quantity);
  return [...units].map(([productId, quantity]) => ({ productId, quantity }));
}
