import type { StockChangeResolvers } from "../generated/resolvers-types.ts";

export const StockChange: StockChangeResolvers = {
  product: (change) => ({ id: change.productId }),
};
