import { orderedByKey } from "@storefront/service";
import DataLoader from "dataloader";
import type { UserRecord } from "./records.ts";
import type { UserStore } from "./user-store.ts";

/** Per-request loaders: any number of lookups in one tick cost one query per kind. */
export function createUserLoaders(store: UserStore) {
  return {
    userById: new DataLoader<string, UserRecord | null>(async (ids) => orderedByKey(ids, await store.usersByIds(ids), (u) => u.id)),
  };
}

export type UserLoaders = ReturnType<typeof createUserLoaders>;
