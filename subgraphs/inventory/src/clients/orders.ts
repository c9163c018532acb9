import type { FetchEntities } from "@storefront/service";
import { ExistingOrdersDocument } from "../generated/orders-operations.ts";

/**
 * What inventory asks orders: which of some orders exist. It calls as the inventory service (scope `orders:read`);
 * anything but a whole answer throws (SERVICE_UNAVAILABLE naming orders), so no caller mistakes silence for "absent".
 */
export function createOrdersClient(fetchEntities: FetchEntities) {
  return {
    async existingOrderIds(orderIds: readonly string[], requestId?: string): Promise<Set<string>> {
      const found = await fetchEntities(
        ExistingOrdersDocument,
        orderIds.map((id) => ({ id })),
        requestId,
      );
      return new Set(found.flatMap((order) => (order ? [order.id] : [])));
    },
  };
}

export type OrdersClient = ReturnType<typeof createOrdersClient>;
