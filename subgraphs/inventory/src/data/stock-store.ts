import { uuidsOnly } from "@storefront/service";
import type { PrismaClient } from "./generated/client.ts";
import type { StockLevelRecord } from "./records.ts";

/** Every read the inventory subgraph's resolvers make. */
export function createStockStore(prisma: PrismaClient) {
  return {
    stockLevelsByProductIds: (productIds: readonly string[]): Promise<StockLevelRecord[]> =>
      prisma.stockLevel.findMany({ where: { productId: { in: uuidsOnly(productIds) } } }),
  };
}

export type StockStore = ReturnType<typeof createStockStore>;
