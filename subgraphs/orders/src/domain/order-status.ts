import { ErrorCode } from "@storefront/errors";
import type { OrderStatus } from "../data/generated/enums.ts";

/** Which status may follow which: the order's life as a state machine. */
const transitions: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING_PAYMENT: ["PAID", "PAYMENT_FAILED", "CANCELLED"],
  PAYMENT_FAILED: ["PAID", "PAYMENT_FAILED", "CANCELLED"],
  PAID: ["SHIPPED", "CANCELLED"],
  SHIPPED: ["DELIVERED"],
  DELIVERED: [],
  CANCELLED: ["REFUNDED"],
  REFUNDED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return transitions[from].includes(to);
}

/** Throws CONFLICT for a change the state machine does not allow. */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw ErrorCode.CONFLICT.err(`An order that is ${from} cannot become ${to}.`, { extensions: { from, to } });
}
