import type { BaseContext } from "@storefront/service";
import type { UserLoaders } from "./data/loaders.ts";
import type { UserStore } from "./data/user-store.ts";

/** What users resolvers receive as their third argument. */
export interface UsersContext extends BaseContext {
  readonly store: UserStore;
  readonly loaders: UserLoaders;
}
