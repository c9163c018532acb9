import { groupedByKey } from "@storefront/service";
import DataLoader from "dataloader";
import type { CatalogClient } from "../clients/catalog.ts";
import type { InventoryClient } from "../clients/inventory.ts";
import { cartIdOf } from "../domain/cart-id.ts";
import type { CatalogProduct } from "../domain/cart-rules.ts";
import type { CartStore } from "./cart-store.ts";
import type { CartItemRecord, CartRecord } from "./records.ts";

export interface LoaderSources {
  readonly store: CartStore;
  readonly catalog: CatalogClient;
  readonly inventory: InventoryClient;
  /** Passed on to the other subgraphs, so their logs name the request that asked. */
  readonly requestId: string;
}

// Lookups in other subgraphs wait for the event loop's next turn rather than the next tick: everything one
// resolver pass asks for (every line of every cart in the response) then goes out as one HTTP request.
const afterThisPass = { batchScheduleFn: (dispatch: () => void) => void setImmediate(dispatch) };

/** Per-request loaders: any number of lookups in one pass cost one SQL query or one HTTP request per kind. */
export function createCartLoaders({ store, catalog, inventory, requestId }: LoaderSources) {
  return {
    /** Every user has a cart: the stored one, or an empty one that is not stored yet. */
    cartByUserId: new DataLoader<string, CartRecord>(async (userIds) => {
      const stored = new Map((await store.cartsByUserIds(userIds)).map((cart) => [cart.userId, cart]));
      return userIds.map((userId) => stored.get(userId) ?? { id: cartIdOf(userId), userId, updatedAt: null });
    }),
    itemsByCartId: new DataLoader<string, CartItemRecord[]>(async (cartIds) =>
      groupedByKey(cartIds, await store.itemsByCartIds(cartIds), (item) => item.cartId),
    ),
    /** The catalog's current data for a product; null when it does not know the product. */
    productById: new DataLoader<string, CatalogProduct | null>((ids) => catalog.products(ids, requestId), afterThisPass),
    /** Units of a product that can be ordered now. */
    availableUnitsOf: new DataLoader<string, number>((ids) => inventory.availableUnits(ids, requestId), afterThisPass),
  };
}

export type CartLoaders = ReturnType<typeof createCartLoaders>;
