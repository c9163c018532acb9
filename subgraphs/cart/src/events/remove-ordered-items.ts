import { createCheckoutStore } from "../data/checkout-store.ts";
import type { CartTransaction } from "../data/records.ts";
import { type UnitsOfProduct, unitsPerProduct } from "../domain/ordered-units.ts";

/** What taking an order out of its customer's cart did. */
export type RemovalOutcome = { readonly outcome: "removed"; readonly changedLines: number } | { readonly outcome: "already_removed" };

/**
 * Takes what a placed order bought out of its customer's cart, in the caller's transaction: each ordered
 * product loses the ordered units, and a line left with none goes. What the customer added after checking out
 * (another product, or more units than were ordered) stays in the cart. Once per order: a redelivered or
 * republished order.placed for the same order finds its checked_out_order row and changes nothing.
 */
export async function removeOrderedItems(
  tx: CartTransaction,
  order: { orderId: string; userId: string; items: readonly UnitsOfProduct[] },
): Promise<RemovalOutcome> {
  const store = createCheckoutStore(tx);
  if (!(await store.recordCheckedOut(order.orderId, order.userId))) return { outcome: "already_removed" };
  const changedLines = await store.removeUnits(order.userId, unitsPerProduct(order.items));
  return { outcome: "removed", changedLines };
}
