import { failureOf } from "../domain/failure.ts";
import type { PayOrderResultResolvers } from "../generated/resolvers-types.ts";

export const PayOrderResult: PayOrderResultResolvers = {
  failure: ({ payment }) => failureOf(payment),
};
