import { canAccessUser, type Viewer } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";

/**
 * An order is its customer's and the admins' to see, and a service's holding `serviceScope` where reading allows it
 * (inventory asks whether an order exists: `orders:read`); anyone else is refused without learning more.
 */
export function assertMaySeeOrder(viewer: Viewer | null, order: { userId: string }, serviceScope?: string): void {
  if (!viewer) throw ErrorCode.UNAUTHENTICATED.err("Sign in to see orders.");
  if (!canAccessUser(viewer, order.userId, serviceScope)) throw ErrorCode.FORBIDDEN.err("This order belongs to another customer.");
}
