import type { UnitsOfProduct } from "../domain/ordered-units.ts";
import { lockCart, touchCart } from "./cart-store.ts";
import type { CartTransaction } from "./records.ts";

/** What taking a placed order out of its customer's cart writes, inside an event handler's transaction. */
export function createCheckoutStore(tx: CartTransaction) {
  return {
    /** Records that an order was taken out of its customer's cart; false when it had been already. */
    async recordCheckedOut(orderId: string, userId: string): Promise<boolean> {
      const { count } = await tx.checkedOutOrder.createMany({ data: [{ orderId, userId }], skipDuplicates: true });
      return count === 1;
    },

    /**
     * Subtracts the units from the user's cart lines; a line left with none is removed. Returns how many lines
     * changed (0 also when the user has no cart).
     */
    async removeUnits(userId: string, units: readonly UnitsOfProduct[]): Promise<number> {
      const cartId = await lockCart(tx, userId);
      if (!cartId || units.length === 0) return 0;
      const productIds = units.map((u) => u.productId);
      const quantities = units.map((u) => u.quantity);
      const removed = await tx.$executeRaw`
        DELETE FROM cart_item AS i
        USING unnest(${productIds}::uuid[], ${quantities}::int[]) AS ordered(product_id, quantity)
        WHERE i.cart_id = ${cartId}::uuid AND i.product_id = ordered.product_id AND i.quantity <= ordered.quantity`;
      const reduced = await tx.$executeRaw`
        UPDATE cart_item AS i SET quantity = i.quantity - ordered.quantity
        FROM unnest(${productIds}::uuid[], ${quantities}::int[]) AS ordered(product_id, quantity)
        WHERE i.cart_id = ${cartId}::uuid AND i.product_id = ordered.product_id AND i.quantity > ordered.quantity`;
      if (removed + reduced > 0) await touchCart(tx, cartId);
      return removed + reduced;
    },
  };
}
