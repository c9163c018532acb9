import { reservationStatusOf } from "../domain/reservation-lifecycle.ts";
import type { StockReservationLineResolvers, StockReservationResolvers } from "../generated/resolvers-types.ts";

export const StockReservation: StockReservationResolvers = {
  status: (reservation) => reservationStatusOf(reservation.lines),
};

export const StockReservationLine: StockReservationLineResolvers = {
  product: (line) => ({ id: line.productId }),
};
