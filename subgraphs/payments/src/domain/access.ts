import { requireSelfOrAdmin, requireViewer, type Viewer } from "@storefront/auth";

/**
 * Who may see an order's money: its customer and admins. Payments learns the customer from
 * order.placed; before that it knows nothing about the order, so there is nothing to hide.
 */
export function assertMaySeeOrderPayments(viewer: Viewer | null, owner: { userId: string } | null): void {
  if (owner) requireSelfOrAdmin(viewer, owner.userId);
  else requireViewer(viewer);
}
