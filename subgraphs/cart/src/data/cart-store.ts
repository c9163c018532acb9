import { uuidsOnly } from "@storefront/service";
import type { PrismaClient } from "./generated/client.ts";
import type { CartItemRecord } from "./records.ts";

/** Every read the cart subgraph makes; the only module that talks to its database. */
export function createCartStore(prisma: PrismaClient) {
  return {
    cartsByUserIds: (userIds: readonly string[]) => prisma.cart.findMany({ where: { userId: { in: uuidsOnly(userIds) } } }),

    itemsByCartIds: (cartIds: readonly string[]): Promise<CartItemRecord[]> =>
      prisma.cartItem.findMany({ where: { cartId: { in: uuidsOnly(cartIds) } }, orderBy: [{ addedAt: "asc" }, { productId: "asc" }] }),
  };
}

export type CartStore = ReturnType<typeof createCartStore>;
