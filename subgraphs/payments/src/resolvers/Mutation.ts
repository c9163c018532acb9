import { requireAdmin, requireViewer } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";
import { isUuid } from "@storefront/service";
import { parseCard } from "../domain/card.ts";
import type { MutationResolvers } from "../generated/resolvers-types.ts";

function idempotencyKey(key: string): string {
  if (key.length < 1 || key.length > 255) throw ErrorCode.BAD_USER_INPUT.err("idempotencyKey must be 1 to 255 characters.");
  return key;
}

function uuid(name: string, id: string): string {
  if (!isUuid(id)) throw ErrorCode.BAD_USER_INPUT.err(`${name} must be a UUID.`);
  return id;
}

export const Mutation: MutationResolvers = {
  async payOrder(_parent, { input }, { payments, viewer }) {
    const customer = requireViewer(viewer);
    const payment = await payments.payOrder({
      userId: customer.userId,
      orderId: uuid("orderId", input.orderId),
      card: parseCard(input.method),
      currency: input.currency ?? null,
      idempotencyKey: idempotencyKey(input.idempotencyKey),
    });
    return { payment };
  },
  async refundPayment(_parent, { input }, { payments, viewer }) {
    const admin = requireAdmin(viewer);
    const reason = input.reason.trim();
    if (reason.length < 1 || reason.length > 500) throw ErrorCode.BAD_USER_INPUT.err("reason must be 1 to 500 characters.");
    if (input.amount !== null && input.amount !== undefined && input.amount < 1) {
      throw ErrorCode.BAD_USER_INPUT.err("amount must be a positive number of minor units.");
    }
    return payments.refund({
      paymentId: uuid("paymentId", input.paymentId),
      amount: input.amount ?? null,
      reason,
      idempotencyKey: idempotencyKey(input.idempotencyKey),
      actorId: admin.userId,
    });
  },
};
