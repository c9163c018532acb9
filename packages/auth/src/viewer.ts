import { ErrorCode } from "@storefront/errors";

/** CUSTOMER and ADMIN are people; SERVICE is one subgraph calling another with a client-credentials token. */
export const roles = ["CUSTOMER", "ADMIN", "SERVICE"] as const;
export type Role = (typeof roles)[number];

/** The signed-in user a request acts for, as proven by its access token. */
export interface Viewer {
  readonly userId: string;
  readonly role: Role;
  /** OAuth-style scopes, checked by `@requiresScopes` in the schema. */
  readonly scopes: readonly string[];
}

/** What each role may do, as scopes: admins hold `admin`. */
export function scopesOf(role: Role): string[] {
  return role === "ADMIN" ? ["admin"] : [];
}

/** Throws UNAUTHENTICATED unless someone is signed in. */
export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw ErrorCode.UNAUTHENTICATED.err("Sign in to do this.");
  return viewer;
}

/** Throws UNAUTHENTICATED when nobody is signed in, FORBIDDEN when the viewer is not an admin. */
export function requireAdmin(viewer: Viewer | null): Viewer {
  const signedIn = requireViewer(viewer);
  if (signedIn.role !== "ADMIN") throw ErrorCode.FORBIDDEN.err("Only an admin may do this.");
  return signedIn;
}

/**
 * The resolver-side twin of `@requiresScopes(scopes: [[...], [...]])`: passes when the viewer holds
 * every scope of at least one of the alternatives.
 */
export function requireScopes(viewer: Viewer | null, alternatives: readonly (readonly string[])[]): Viewer {
  const signedIn = requireViewer(viewer);
  if (!alternatives.some((scopes) => scopes.every((scope) => signedIn.scopes.includes(scope)))) {
    throw ErrorCode.FORBIDDEN.err("You are not allowed to do this.");
  }
  return signedIn;
}

/**
 * True when the viewer may see a customer's data: the customer themself, an admin, or a service
 * whose token holds `serviceScope` (e.g. the checkout reading a cart with `cart:read`).
 */
export function canAccessUser(viewer: Viewer | null, userId: string, serviceScope?: string): boolean {
  if (viewer === null) return false;
  if (viewer.role === "ADMIN" || viewer.userId === userId) return true;
  return serviceScope !== undefined && viewer.role === "SERVICE" && viewer.scopes.includes(serviceScope);
}

/** Customers act on their own data only; admins on anyone's; a service holding `serviceScope` too. */
export function requireSelfOrAdmin(viewer: Viewer | null, userId: string, serviceScope?: string): Viewer {
  const signedIn = requireViewer(viewer);
  if (!canAccessUser(signedIn, userId, serviceScope)) throw ErrorCode.FORBIDDEN.err("This belongs to another customer.");
  return signedIn;
}
