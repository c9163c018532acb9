import type { OutboxSignal } from "@storefront/runtime";
import type { Stock, StockChangePlan } from "../domain/stock.ts";
import { announceAvailability } from "../events/availability.ts";
import type { PrismaClient } from "./generated/client.ts";
import type { StockChangeRecord } from "./records.ts";
import { createReservationStore } from "./reservation-store.ts";

/**
 * Manual changes of stock on hand (admins): decided under the product's row lock, booked in the ledger and announced
 * (inventory.availability_changed.v1 in the outbox), all in one transaction; the relay is woken after the commit.
 */
export function createStockChanges(prisma: PrismaClient, outbox: OutboxSignal) {
  return {
    /** Whether inventory has ever stocked the product (it then knows the product exists). */
    isStocked: async (productId: string): Promise<boolean> => (await prisma.stockLevel.count({ where: { productId } })) > 0,

    /**
     * Locks the product's stock (creating an empty one for a product never stocked), lets `decide` plan the change
     * from it, then applies the plan and books it, all in one transaction. `decide` throws to refuse (nothing changes)
     * or answers null when there is nothing to change.
     */
    change: async (productId: string, actorId: string, decide: (stock: Stock) => StockChangePlan | null): Promise<StockChangeRecord> => {
      const change = await prisma.$transaction(
        async (tx) => {
          await tx.stockLevel.createMany({ data: [{ productId, onHand: 0 }], skipDuplicates: true });
          const [stock] = await createReservationStore(tx).lockStock([productId]);
          if (!stock) throw new Error(`stock of product ${productId} vanished while locked`);
          const plan = decide(stock);
          if (!plan) return { productId, movement: null };
          const level = await tx.stockLevel.update({
            where: { productId },
            data: { onHand: plan.onHandAfter, version: { increment: 1 } },
            select: { onHand: true, reserved: true, version: true, updatedAt: true },
          });
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
          await announceAvailability(tx, [
            { productId, onHand: level.onHand, reserved: level.reserved, version: level.version, changedAt: level.updatedAt },
          ]);
          return { productId, movement };
        },
        { maxWait: 10_000, timeout: 30_000 },
      );
      if (change.movement) outbox.notify();
      return change;
    },
  };
}

export type StockChanges = ReturnType<typeof createStockChanges>;
