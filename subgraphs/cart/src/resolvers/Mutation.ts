import { ErrorCode } from "@storefront/errors";
import type { CartLoaders } from "../data/loaders.ts";
import type { CartItemRecord } from "../data/records.ts";
import {
  assertCartCurrency,
  assertLineFits,
  assertProductId,
  assertPurchasable,
  assertQuantity,
  assertRoomForAnotherLine,
  assertSubtotalRepresentable,
  assertWithinLineMaximum,
  type CatalogProduct,
  lineLimit,
  lineLimitError,
  MAX_LINES,
  MAX_QUANTITY_PER_LINE,
  notInCartError,
  tooManyLinesError,
} from "../domain/cart-rules.ts";
import type { MutationResolvers } from "../generated/resolvers-types.ts";
import { signedInUser } from "./viewer.ts";

/** What the catalog and the inventory say now about a product, and the catalog about the cart's other products. */
interface Lookups {
  readonly product: CatalogProduct | null;
  readonly otherProducts: readonly (CatalogProduct | null)[];
  /** Rejects with SERVICE_UNAVAILABLE when the inventory cannot be reached. */
  readonly available: Promise<number>;
}

/**
 * One catalog request for the product and every other product in the cart (the cart's currency and total, and
 * the prices the returned cart shows), sent together with one inventory request for the product's stock.
 */
async function lookUp(loaders: CartLoaders, productId: string, others: readonly CartItemRecord[]): Promise<Lookups> {
  const available = loaders.availableUnitsOf.load(productId);
  // Awaited by the caller after the catalog's answer, which decides first (an unknown product is NOT_FOUND).
  available.catch(() => {});
  const [product = null, ...otherProducts] = await Promise.all(
    [productId, ...others.map((item) => item.productId)].map((id) => loaders.productById.load(id)),
  );
  return { product, otherProducts, available };
}

/** The cart after a write: what the loaders had read before is stale. */
function reloadedCart(loaders: CartLoaders, userId: string) {
  loaders.cartByUserId.clear(userId);
  loaders.itemsByCartId.clearAll();
  return loaders.cartByUserId.load(userId);
}

const withProducts = (items: readonly CartItemRecord[], products: readonly (CatalogProduct | null)[]) =>
  items.map((item, index) => ({ quantity: item.quantity, product: products[index] ?? null }));

// Every check runs before anything is written, so a refused change leaves the cart as it was; the limits that
// concurrent requests could race past are checked again, atomically, by the write itself.
export const Mutation: MutationResolvers = {
  async addToCart(_parent, { productId, quantity }, { viewer, store, loaders }) {
    const { userId } = signedInUser(viewer);
    assertProductId(productId);
    assertQuantity(quantity);
    const items = await store.itemsOfUser(userId);
    const inCart = items.find((item) => item.productId === productId)?.quantity ?? 0;
    const others = items.filter((item) => item.productId !== productId);
    if (inCart === 0) assertRoomForAnotherLine(others.length);
    assertWithinLineMaximum({ wanted: inCart + quantity, inCart });

    const { product, otherProducts, available } = await lookUp(loaders, productId, others);
    assertPurchasable(productId, product);
    assertCartCurrency(product, otherProducts);
    const units = await available;
    assertLineFits({ wanted: inCart + quantity, inCart, available: units });
    assertSubtotalRepresentable([...withProducts(others, otherProducts), { quantity: inCart + quantity, product }]);

    const added = await store.addUnits({ userId, productId, quantity, limit: lineLimit(units), maxLines: MAX_LINES });
    if (added.outcome === "too_many_lines") throw tooManyLinesError();
    if (added.outcome === "over_limit") {
      // A concurrent addition got there first; say what is left for this one.
      throw (
        lineLimitError({ wanted: added.inCart + quantity, inCart: added.inCart, available: units }) ??
        ErrorCode.CONFLICT.err("Your cart changed meanwhile; try again.")
      );
    }
    return reloadedCart(loaders, userId);
  },

  async setCartItemQuantity(_parent, { productId, quantity }, { viewer, store, loaders }) {
    const { userId } = signedInUser(viewer);
    assertProductId(productId);
    if (quantity === 0) {
      throw ErrorCode.BAD_USER_INPUT.err(`quantity must be 1 to ${MAX_QUANTITY_PER_LINE}; to take the product out, use removeFromCart.`, {
        extensions: { argument: "quantity", maxQuantity: MAX_QUANTITY_PER_LINE },
      });
    }
    assertQuantity(quantity);
    const items = await store.itemsOfUser(userId);
    const line = items.find((item) => item.productId === productId);
    if (!line) throw notInCartError(productId);

    // Lowering a quantity always works, even for an archived product or while the catalog is unreachable.
    if (quantity > line.quantity) {
      const others = items.filter((item) => item.productId !== productId);
      const { product, otherProducts, available } = await lookUp(loaders, productId, others);
      assertPurchasable(productId, product);
      assertLineFits({ wanted: quantity, inCart: line.quantity, available: await available });
      assertSubtotalRepresentable([...withProducts(others, otherProducts), { quantity, product }]);
    }

    if (!(await store.setQuantity({ userId, productId, quantity }))) throw notInCartError(productId);
    return reloadedCart(loaders, userId);
  },

  async removeFromCart(_parent, { productId }, { viewer, store, loaders }) {
    const { userId } = signedInUser(viewer);
    assertProductId(productId);
    await store.removeLine({ userId, productId });
    return reloadedCart(loaders, userId);
  },

  async clearCart(_parent, _args, { viewer, store, loaders }) {
    const { userId } = signedInUser(viewer);
    await store.removeAllLines(userId);
    return reloadedCart(loaders, userId);
  },
};
