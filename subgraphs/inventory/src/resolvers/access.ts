import { requireViewer, type Viewer } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";

/** The scope a service token carries to reserve, release and commit stock for orders (the checkout's). */
export const RESERVE_SCOPE = "inventory:reserve";

/**
 * Mirrors `@requiresScopes(scopes: [["admin"], ["inventory:reserve"]])`: an admin, or a caller holding the checkout's
 * scope. UNAUTHENTICATED when nobody is signed in, FORBIDDEN otherwise.
 */
export function requireReservationRights(viewer: Viewer | null): Viewer {
  const signedIn = requireViewer(viewer);
  if (signedIn.role !== "ADMIN" && !signedIn.scopes.includes(RESERVE_SCOPE)) {
    throw ErrorCode.FORBIDDEN.err(`Only an admin or the checkout (scope ${RESERVE_SCOPE}) may do this.`);
  }
  return signedIn;
}
