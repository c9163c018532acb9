/** An amount in whole minor units of a currency (cents for EUR), as the catalog prices products. */
export interface Money {
  readonly amount: number;
  readonly currency: string;
}

/** The largest amount the schema's `Int` can carry (GraphQL Int is a signed 32-bit integer). */
export const MAX_AMOUNT = 2_147_483_647;

/** unitPrice × quantity, or null when the schema could not represent it. */
export function lineTotal(unitPrice: Money, quantity: number): Money | null {
  const amount = unitPrice.amount * quantity;
  return amount <= MAX_AMOUNT ? { amount, currency: unitPrice.currency } : null;
}

/**
 * The sum of priced lines: null for no lines, for lines in more than one currency (there is no honest sum
 * without exchange rates) and for a sum the schema could not represent.
 */
export function sumOf(lines: readonly { readonly unitPrice: Money; readonly quantity: number }[]): Money | null {
  const [first] = lines;
  if (!first) return null;
  if (lines.some((line) => line.unitPrice.currency !== first.unitPrice.currency)) return null;
  const amount = lines.reduce((sum, line) => sum + line.unitPrice.amount * line.quantity, 0);
  return amount <= MAX_AMOUNT ? { amount, currency: first.unitPrice.currency } : null;
}
