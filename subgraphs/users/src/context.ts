import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { isIP } from "node:net";
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
  /** The client's IP address, for throttling failed sign-ins; null when unknown (in-process calls). */
  readonly clientAddress: string | null;
  /**
   * The user this request has just signed in (register, login, refresh, changePassword): for the
   * rest of the request they may read their own private fields in the returned AuthPayload,
   * although the request carried no access token yet.
   */
  readonly signedIn: { userId: string | null };
}

const withoutIpv4MappedPrefix = (address: string) =>
  address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;

/**
 * Who is calling, for throttling. Every proxy appends the address it saw to X-Forwarded-For and a
 * client can put anything before that, so only the entries our own proxies appended count: with
 * `trustedProxyHops` = 1 (the router, the only thing that reaches a subgraph) the last entry; with
 * a load balancer in front of the router, 2, and so on. Without the header (a direct call), the
 * peer address of the connection.
 */
export function clientAddressOf(req: IncomingMessage, trustedProxyHops = 1): string | null {
  const headers = req.headers as IncomingHttpHeaders | undefined;
  const forwarded = headers?.["x-forwarded-for"];
  const chain = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? ""))
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const seenByOurProxy = chain[Math.max(0, chain.length - trustedProxyHops)];
  if (seenByOurProxy && isIP(seenByOurProxy)) return withoutIpv4MappedPrefix(seenByOurProxy);
  const peer = req.socket?.remoteAddress;
  return peer ? withoutIpv4MappedPrefix(peer) : null;
}
