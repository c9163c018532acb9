import { groupedByKey, orderedByKey } from "@storefront/service";
import DataLoader from "dataloader";
import type { AddressStore } from "./address-store.ts";
import type { AddressRecord, UserRecord } from "./records.ts";
import type { UserStore } from "./user-store.ts";

/** Per-request loaders: any number of lookups in one tick cost one query per kind. */
export function createUserLoaders(users: UserStore, addresses: AddressStore) {
  return {
    userById: new DataLoader<string, UserRecord | null>(async (ids) => orderedByKey(ids, await users.usersByIds(ids), (u) => u.id)),
    addressesByUserId: new DataLoader<string, AddressRecord[]>(async (userIds) =>
      groupedByKey(userIds, await addresses.addressesOfUsers(userIds), (a) => a.userId),
    ),
  };
}

export type UserLoaders = ReturnType<typeof createUserLoaders>;
