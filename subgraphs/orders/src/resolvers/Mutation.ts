import { requireAdmin, requireViewer } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";
import type { OrdersContext } from "../context.ts";
import type { OrderRecord } from "../data/records.ts";
import type { OrderTransition } from "../data/transitions.ts";
import { assertMaySeeOrder } from "../domain/access.ts";
import type { MutationResolvers } from "../generated/resolvers-types.ts";

const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
const MAX_REASON_LENGTH = 500;
const MAX_CARRIER_LENGTH = 100;

/** A required text argument, trimmed; BAD_USER_INPUT when empty or too long. */
function text(value: string, argument: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max) {
    throw ErrorCode.BAD_USER_INPUT.err(`${argument} must be 1 to ${max} characters.`, { extensions: { argument } });
  }
  return trimmed;
}

/** Loads the order a mutation is about: NOT_FOUND when there is none (or the id is no UUID). */
async function existingOrder(id: string, { loaders }: OrdersContext): Promise<OrderRecord> {
  const order = await loaders.orderById.load(id);
  if (!order) throw ErrorCode.NOT_FOUND.err(`Order ${id} does not exist.`, { extensions: { argument: "id" } });
  return order;
}

/** Applies a status change for the viewer and wakes the outbox relay when it wrote an event. */
async function change(
  id: string,
  transition: OrderTransition,
  reason: string | null,
  { store, outbox, requestId, viewer }: OrdersContext,
): Promise<OrderRecord> {
  const { userId } = requireViewer(viewer);
  const result = await store.changeStatus(id, transition, { actor: userId, reason, correlationId: requestId });
  if (result.outcome === "changed") outbox.notify();
  return result.order;
}

export const Mutation: MutationResolvers = {
  async checkout(_parent, { input }, { checkout, outbox, requestId, viewer }) {
    const { userId, role } = requireViewer(viewer);
    if (role === "SERVICE") throw ErrorCode.FORBIDDEN.err("Only a customer checks out their cart.");
    const idempotencyKey = input.idempotencyKey;
    if (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw ErrorCode.BAD_USER_INPUT.err(`input.idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`, {
        extensions: { argument: "input.idempotencyKey" },
      });
    }
    // an address id that is not in the book (malformed ones included) is refused by the checkout itself
    const shippingAddressId = input.shippingAddressId ?? null;
    const { order, created } = await checkout({ userId, idempotencyKey, shippingAddressId, requestId });
    if (created) outbox.notify();
    return order;
  },

  async cancelOrder(_parent, { id, reason }, context) {
    requireViewer(context.viewer);
    const why = text(reason, "reason", MAX_REASON_LENGTH);
    // the customer of an order never changes, so checking it before the locking transaction is safe
    assertMaySeeOrder(context.viewer, await existingOrder(id, context));
    return change(id, { to: "CANCELLED" }, why, context);
  },

  async markShipped(_parent, { id, carrier, trackingNumber }, context) {
    requireAdmin(context.viewer);
    const shippedBy = text(carrier, "carrier", MAX_CARRIER_LENGTH);
    const tracking = trackingNumber == null ? null : text(trackingNumber, "trackingNumber", MAX_CARRIER_LENGTH);
    await existingOrder(id, context);
    return change(id, { to: "SHIPPED", carrier: shippedBy, trackingNumber: tracking }, `shipped with ${shippedBy}`, context);
  },

  async markDelivered(_parent, { id }, context) {
    requireAdmin(context.viewer);
    await existingOrder(id, context);
    return change(id, { to: "DELIVERED" }, null, context);
  },
};
