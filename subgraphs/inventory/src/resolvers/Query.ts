import { isUuid } from "@storefront/service";
import type { QueryResolvers } from "../generated/resolvers-types.ts";
import { requireReservationRights } from "./access.ts";

export const Query: QueryResolvers = {
  async stockReservation(_parent, { orderId }, { viewer, reservations }) {
    requireReservationRights(viewer);
    // an id that is not a UUID names no order
    if (!isUuid(orderId)) return null;
    const reservation = await reservations.reservationOf(orderId);
    return reservation.lines.length > 0 ? reservation : null;
  },
};
