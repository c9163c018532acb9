import { demoProducts, demoUsers } from "@storefront/demo-data";
import { cartIdOf } from "../domain/cart-id.ts";
import type { PrismaClient } from "./generated/client.ts";

/** Gives the demo customer a cart with two products; running it again changes nothing. */
export async function seedDemoCarts(prisma: PrismaClient): Promise<void> {
  const customer = demoUsers.find((u) => u.role === "CUSTOMER");
  const [first, second] = demoProducts;
  if (!customer || !first || !second) return;
  const cart = await prisma.cart.upsert({
    where: { userId: customer.id },
    create: { id: cartIdOf(customer.id), userId: customer.id },
    update: {},
  });
  await prisma.cartItem.createMany({
    skipDuplicates: true,
    data: [
      { cartId: cart.id, productId: first.id, quantity: 1, addedAt: new Date(Date.now() - 60_000) },
      { cartId: cart.id, productId: second.id, quantity: 2 },
    ],
  });
}
