import { demoProducts, demoUsers } from "@storefront/demo-data";
import { cartIdOf } from "../domain/cart-id.ts";
import type { PrismaClient } from "./generated/client.ts";

/**
 * Gives the demo customer a cart with two products, once: the items come with the cart row, and a cart row stays
 * once stored (even emptied), so running it again, after a checkout or any change to the cart, changes nothing.
 */
export async function seedDemoCarts(prisma: PrismaClient): Promise<void> {
  const customer = demoUsers.find((u) => u.role === "CUSTOMER");
  const [first, second] = demoProducts;
  if (!customer || !first || !second) return;
  const cartId = cartIdOf(customer.id);
  await prisma.$transaction(async (tx) => {
    const created = await tx.cart.createMany({ skipDuplicates: true, data: [{ id: cartId, userId: customer.id }] });
    if (created.count === 0) return;
    await tx.cartItem.createMany({
      data: [
        { cartId, productId: first.id, quantity: 1, addedAt: new Date(Date.now() - 60_000) },
        { cartId, productId: second.id, quantity: 2 },
      ],
    });
  });
}
