import type { BaseContext } from "@storefront/service";
import type { Authentication } from "./auth/authentication.ts";
import type { KeyRing } from "./auth/signing-keys.ts";
import type { AddressStore } from "./data/address-store.ts";
import type { UserLoaders } from "./data/loaders.ts";
import type { UserStore } from "./data/user-store.ts";

/** What users resolvers receive as their third argument. */
export interface UsersContext extends BaseContext {
  readonly users: UserStore;
  readonly addresses: AddressStore;
  readonly loaders: UserLoaders;
  readonly authentication: Authentication;
  readonly keys: KeyRing;
  /** The client's IP address, for throttling sign-ups and failed sign-ins; null when unknown (in-process calls). */
  readonly clientAddress: string | null;
  /**
   * The user this request has just signed in (register, login, refresh, changePassword): for the
   * rest of the request they may read their own private fields in the returned AuthPayload,
   * although the request carried no access token yet.
   */
  readonly signedIn: { userId: string | null };
}
