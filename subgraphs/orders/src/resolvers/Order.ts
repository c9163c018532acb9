import { serviceScopes } from "@storefront/auth";
import { assertMaySeeOrder } from "../domain/access.ts";
import { canCancel } from "../domain/order-status.ts";
import type { OrderResolvers } from "../generated/resolvers-types.ts";

export const Order: OrderResolvers = {
  async __resolveReference(reference, { loaders, viewer }) {
    const order = await loaders.orderById.load(reference.id);
    if (order) assertMaySeeOrder(viewer, order, serviceScopes.readOrders);
    return order;
  },
  customer: (order) => ({ id: order.userId }),
  items: (order, _args, { loaders }) => loaders.itemsOfOrder.load(order.id),
  subtotal: (order) => ({ amount: order.subtotalAmount, currency: order.currency }),
  total: (order) => ({ amount: order.totalAmount, currency: order.currency }),
  shippingAddress: (order) =>
    order.shipRecipientName === null ||
    order.shipLine1 === null ||
    order.shipCity === null ||
    order.shipPostalCode === null ||
    order.shipCountryCode === null
      ? null
      : {
          recipientName: order.shipRecipientName,
          line1: order.shipLine1,
          line2: order.shipLine2,
          city: order.shipCity,
          region: order.shipRegion,
          postalCode: order.shipPostalCode,
          countryCode: order.shipCountryCode,
          phone: order.shipPhone,
        },
  statusHistory: (order, _args, { loaders }) => loaders.historyOfOrder.load(order.id),
  canCancel: (order) => canCancel(order.status),
};
