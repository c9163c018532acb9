import { assertMaySeeOrderPayments } from "../domain/access.ts";
import type { PaymentResolvers } from "../generated/resolvers-types.ts";

export const Payment: PaymentResolvers = {
  async __resolveReference(reference, { loaders, viewer }) {
    const payment = await loaders.paymentById.load(reference.id);
    if (payment) assertMaySeeOrderPayments(viewer, await loaders.amountDueByOrderId.load(payment.orderId));
    return payment;
  },
  order: (payment) => ({ id: payment.orderId }),
  amount: (payment) => ({ amount: payment.amount, currency: payment.currency }),
};
