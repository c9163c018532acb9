import type { BaseContext } from "@storefront/service";
import type { CartStore } from "./data/cart-store.ts";
import type { CartLoaders } from "./data/loaders.ts";

/** What cart resolvers receive as their third argument. */
export interface CartContext extends BaseContext {
  readonly store: CartStore;
  readonly loaders: CartLoaders;
}
