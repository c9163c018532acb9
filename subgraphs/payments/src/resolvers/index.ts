import { scalarResolvers } from "@storefront/service";
import type { Resolvers } from "../generated/resolvers-types.ts";
import { Mutation } from "./Mutation.ts";
import { Order } from "./Order.ts";
import { Payment } from "./Payment.ts";
import { PaymentAuditEntry } from "./PaymentAuditEntry.ts";
import { PayOrderResult } from "./PayOrderResult.ts";
import { Refund } from "./Refund.ts";

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  CurrencyCode: scalarResolvers.CurrencyCode,
  Mutation,
  Order,
  Payment,
  PaymentAuditEntry,
  PayOrderResult,
  Refund,
};
