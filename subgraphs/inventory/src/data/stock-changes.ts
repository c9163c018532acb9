import type { Stock, StockChangePlan } from "../domain/stock.ts";
import type { PrismaClient } from "./generated/client.ts";
import type { StockChangeRecord } from "./records.ts";
import { createReservationStore } from "./reservation-store.ts";

/** Manual changes of stock on hand (admins): decided under the product's row lock and booked in the ledger. */
export function createStockChanges(prisma: PrismaClient) {
  return {
    /** Whether inventory has ever stocked the product (it then knows the product exists). */
    isStocked: async (productId: string): Promise<boolean> => (await prisma.stockLevel.count({ where: { productId } })) > 0,

    /**
     * Locks the product's stock (creating an empty one for a product never stocked), lets `decide` plan the change
     * from it, then applies the plan and books it, all in one transaction. `decide` throws to refuse (nothing changes)
     * or answers null when there is nothing to change.
     */
    change: (productId: string, actorId: string, decide: (stock: Stock) => StockChangePlan | null): Promise<StockChangeRecord> =>
      prisma.$transaction(
        async (tx) => {
          await tx.stockLevel.createMany({ data: [{ productId, onHand: 0 }], skipDuplicates: true });
          const [stock] = await createReservationStore(tx).lockStock([productId]);
          if (!stock) throw new Error(`stock of product ${productId} vanished while locked`);
          const plan = decide(stock);
          if (!plan) return { productId, movement: null };
          await tx.stockLevel.update({ where: { productId }, data: { onHand: plan.onHandAfter } });
          const movement = await tx.stockMovement.create({
            data: {
              productId,
              kind: plan.kind,
              quantity: plan.quantity,
              reason: plan.reason,
              note: plan.note,
              actorId,
              onHandAfter: plan.onHandAfter,
              reservedAfter: plan.reservedAfter,
            },
          });
          return { productId, movement };
        },
        { maxWait: 10_000, timeout: 30_000 },
      ),
  };
}

export type StockChanges = ReturnType<typeof createStockChanges>;
