import type { PaymentAuditEntryResolvers } from "../generated/resolvers-types.ts";

export const PaymentAuditEntry: PaymentAuditEntryResolvers = {
  amount: (entry) => ({ amount: entry.amount, currency: entry.currency }),
};
