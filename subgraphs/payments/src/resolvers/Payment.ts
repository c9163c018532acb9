import { requireAdmin } from "@storefront/auth";
import { assertMaySeeOrderPayments } from "../domain/access.ts";
import { failureOf } from "../domain/failure.ts";
import type { PaymentResolvers } from "../generated/resolvers-types.ts";

export const Payment: PaymentResolvers = {
  async __resolveReference(reference, { loaders, viewer }) {
    const payment = await loaders.paymentById.load(reference.id);
    if (payment) assertMaySeeOrderPayments(viewer, await loaders.amountDueByOrderId.load(payment.orderId));
    return payment;
  },
  order: (payment) => ({ id: payment.orderId }),
  amount: (payment) => ({ amount: payment.amount, currency: payment.currency }),
  card: (payment) => (payment.cardBrand && payment.cardLast4 ? { brand: payment.cardBrand, last4: payment.cardLast4 } : null),
  failure: (payment) => failureOf(payment),
  refundedAmount: (payment) => ({ amount: payment.refundedAmount, currency: payment.currency }),
  refunds: (payment, _args, { loaders }) => loaders.refundsByPaymentId.load(payment.id),
  auditTrail: (payment, _args, { loaders, viewer }) => {
    requireAdmin(viewer);
    return loaders.auditTrailByPaymentId.load(payment.id);
  },
};
