import { requireViewer } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";
import { priceOrder, validateRequestedLines } from "../domain/order-lines.ts";
import type { MutationResolvers } from "../generated/resolvers-types.ts";

const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

export const Mutation: MutationResolvers = {
  async placeOrder(_parent, { input }, { store, catalog, outbox, requestId, viewer }) {
    const { userId } = requireViewer(viewer);
    const idempotencyKey = input.idempotencyKey ?? null;
    if (idempotencyKey !== null && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
      throw ErrorCode.BAD_USER_INPUT.err(`input.idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`, {
        extensions: { argument: "input.idempotencyKey" },
      });
    }
    validateRequestedLines(input.items);
    if (idempotencyKey) {
      const earlier = await store.orderByIdempotencyKey(userId, idempotencyKey);
      if (earlier) return earlier;
    }
    const snapshots = await catalog.productSnapshots(
      input.items.map((item) => item.productId),
      requestId,
    );
    const priced = priceOrder(input.items, snapshots);
    const { order, created } = await store.placeOrder({ userId, priced, idempotencyKey, correlationId: requestId });
    if (created) outbox.notify();
    return order;
  },
};
