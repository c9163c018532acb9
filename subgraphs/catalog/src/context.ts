import type { BaseContext } from "@storefront/service";
import type { CatalogStore } from "./data/catalog-store.ts";
import type { CatalogLoaders } from "./data/loaders.ts";

/** What catalog resolvers receive as their third argument. */
export interface CatalogContext extends BaseContext {
  readonly store: CatalogStore;
  readonly loaders: CatalogLoaders;
}
