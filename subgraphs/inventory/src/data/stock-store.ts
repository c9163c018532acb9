import type { PageRequest } from "@storefront/service";
import { uuidsOnly } from "@storefront/service";
import type { PrismaClient } from "./generated/client.ts";
import type { StockLevelRecord, StockMovementRecord } from "./records.ts";

/** The reads behind the schema's lists: each answers for any number of products in one statement. */
export function createStockStore(prisma: PrismaClient) {
  return {
    stockLevelsByProductIds: (productIds: readonly string[]): Promise<StockLevelRecord[]> =>
      prisma.stockLevel.findMany({ where: { productId: { in: uuidsOnly(productIds) } } }),

    /**
     * One page of movements per product, newest first (ties broken by id), each page holding up to `first + 1`
     * rows so the caller can tell whether more follow. `after` is a movement id: the page starts behind it.
     */
    movementPages: (productIds: readonly string[], page: PageRequest): Promise<StockMovementRecord[]> =>
      prisma.$queryRaw<StockMovementRecord[]>`
        SELECT m.id::text AS id, m.product_id::text AS "productId", m.kind::text AS kind, m.quantity,
               m.order_id::text AS "orderId", m.reason, m.note, m.actor_id::text AS "actorId",
               m.on_hand_after AS "onHandAfter", m.reserved_after AS "reservedAfter", m.created_at AS "createdAt"
        FROM unnest(${uuidsOnly(productIds)}::uuid[]) AS wanted(product_id)
        CROSS JOIN LATERAL (
          SELECT * FROM stock_movement AS m
          WHERE m.product_id = wanted.product_id
            AND (${page.after}::uuid IS NULL
                 OR (m.created_at, m.id) < (SELECT c.created_at, c.id FROM stock_movement AS c WHERE c.id = ${page.after}::uuid))
          ORDER BY m.created_at DESC, m.id DESC
          LIMIT ${page.first + 1}
        ) AS m`,

    /** How many movements each product has (products without any are absent). */
    movementCounts: async (productIds: readonly string[]): Promise<{ productId: string; count: number }[]> => {
      const groups = await prisma.stockMovement.groupBy({
        by: ["productId"],
        where: { productId: { in: uuidsOnly(productIds) } },
        _count: { _all: true },
      });
      return groups.map((group) => ({ productId: group.productId, count: group._count._all }));
    },
  };
}

export type StockStore = ReturnType<typeof createStockStore>;
