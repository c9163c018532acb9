import { canAccessUser, type Viewer } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";

/** An order is its customer's and the admins' to see; anyone else is refused without learning more. */
export function assertMaySeeOrder(viewer: Viewer | null, order: { userId: string }): void {
  if (!viewer) throw ErrorCode.UNAUTHENTICATED.err("Sign in to see orders.");
  if (!canAccessUser(viewer, order.userId)) throw ErrorCode.FORBIDDEN.err("This order belongs to another customer.");
}
