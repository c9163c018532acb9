import { requireViewer, type Viewer } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";
import { isUuid } from "@storefront/service";

/** The signed-in user a cart operation acts for: UNAUTHENTICATED for anonymous requests and for tokens that name no user. */
export function signedInUser(viewer: Viewer | null): Viewer {
  const signedIn = requireViewer(viewer);
  // Carts are stored by user id (a UUID); a token whose subject is not one was not issued for a user of this shop.
  if (!isUuid(signedIn.userId)) throw ErrorCode.UNAUTHENTICATED.err("Your sign-in does not name a user; sign in again.");
  return signedIn;
}
