import { ErrorCode } from "@storefront/errors";
import type { RefundResolvers } from "../generated/resolvers-types.ts";

export const Refund: RefundResolvers = {
  // A refund is reached through its payment or from refundPayment, which checked access already.
  payment: async (refund, _args, { loaders }) => {
    const payment = await loaders.paymentById.load(refund.paymentId);
    if (!payment) throw ErrorCode.NOT_FOUND.err(`No payment ${refund.paymentId}.`);
    return payment;
  },
  amount: (refund) => ({ amount: refund.amount, currency: refund.currency }),
};
