import type { PaymentResolvers } from "../generated/resolvers-types.ts";

export const Payment: PaymentResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.paymentById.load(reference.id),
  order: (payment) => ({ id: payment.orderId }),
  amount: (payment) => ({ amount: payment.amount, currency: payment.currency }),
};
