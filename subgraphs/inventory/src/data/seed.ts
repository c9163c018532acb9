import { demoProducts } from "@storefront/demo-data";
import type { PrismaClient } from "./generated/client.ts";

/** Stocks every demo product with its opening quantity, booked as received; running it again changes nothing. */
export async function seedDemoStock(prisma: PrismaClient): Promise<void> {
  await prisma.$transaction(async (tx) => {
    // Only rows this run created get a RECEIVED movement, so the ledger matches on_hand even when seeding twice.
    const created = await tx.stockLevel.createManyAndReturn({
      skipDuplicates: true,
      data: demoProducts.map((product) => ({ productId: product.id, onHand: product.stock })),
      select: { productId: true, onHand: true },
    });
    await tx.stockMovement.createMany({
      data: created
        .filter((level) => level.onHand > 0)
        .map((level) => ({
          productId: level.productId,
          kind: "RECEIVED" as const,
          quantity: level.onHand,
          reason: "demo_opening_stock",
          onHandAfter: level.onHand,
          reservedAfter: 0,
        })),
    });
  });
}
