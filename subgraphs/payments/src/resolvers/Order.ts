import { assertMaySeeOrderPayments } from "../domain/access.ts";
import { orderPaymentStatus, orderRefundedAmount } from "../domain/payment-status.ts";
import type { OrderResolvers } from "../generated/resolvers-types.ts";

export const Order: OrderResolvers = {
  // Whether an order exists is the orders subgraph's to say: here an order not (yet) recorded owes nothing known.
  __resolveReference: (reference) => ({ id: reference.id }),
  amountDue: async (order, _args, { loaders, viewer }) => {
    const due = await loaders.amountDueByOrderId.load(order.id);
    assertMaySeeOrderPayments(viewer, due);
    return due ? { amount: due.amount, currency: due.currency } : null;
  },
  paymentStatus: async (order, _args, { loaders, viewer }) => {
    const [due, payments] = await Promise.all([loaders.amountDueByOrderId.load(order.id), loaders.paymentsByOrderId.load(order.id)]);
    assertMaySeeOrderPayments(viewer, due);
    return orderPaymentStatus(due, payments);
  },
  refundedAmount: async (order, _args, { loaders, viewer }) => {
    const [due, payments] = await Promise.all([loaders.amountDueByOrderId.load(order.id), loaders.paymentsByOrderId.load(order.id)]);
    assertMaySeeOrderPayments(viewer, due);
    return due ? orderRefundedAmount(due, payments) : null;
  },
  payments: async (order, _args, { loaders, viewer }) => {
    assertMaySeeOrderPayments(viewer, await loaders.amountDueByOrderId.load(order.id));
    return loaders.paymentsByOrderId.load(order.id);
  },
};
