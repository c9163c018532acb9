import type { FetchEntities, SubgraphRequest } from "@storefront/service";
import type { RequestedLine } from "../domain/order-lines.ts";
import type { ShippingAddress } from "../domain/shipping-address.ts";
import { CartLinesDocument } from "../generated/cart-operations.ts";
import { type ReservationStatus, ReserveStockDocument, type ReserveStockMutation } from "../generated/inventory-operations.ts";
import { AddressBookDocument } from "../generated/users-operations.ts";

// What the checkout reads and reserves in other subgraphs, called directly (not through the router) with the orders
// service's token: its scopes cart:read, users:addresses:read and inventory:reserve let it act for any customer.

/** An entry of the customer's address book, as the users subgraph has it. */
export interface AddressSnapshot extends ShippingAddress {
  readonly id: string;
  readonly isDefault: boolean;
}

export interface CartLine extends RequestedLine {
  /** False for a product archived after it was added; null when the cart could not ask the catalog. */
  readonly purchasable: boolean | null;
}

/** The customer's cart, from the cart subgraph (its User entity). */
export function createCartSource(fetchEntities: FetchEntities) {
  return {
    async linesOf(userId: string, requestId: string): Promise<CartLine[]> {
      const [user] = await fetchEntities(CartLinesDocument, [{ id: userId }], requestId);
      return (user?.cart?.items ?? []).map((item) => ({
        productId: item.product.id,
        quantity: item.quantity,
        purchasable: item.purchasable,
      }));
    },
  };
}

/** The customer's address book, from the users subgraph (its User entity). */
export function createAddressSource(fetchEntities: FetchEntities) {
  return {
    /** Every address of the customer; empty for an unknown user. */
    async addressesOf(userId: string, requestId: string): Promise<AddressSnapshot[]> {
      const [user] = await fetchEntities(AddressBookDocument, [{ id: userId }], requestId);
      return user?.addresses ?? [];
    },
  };
}

export type { ReservationStatus };

export interface StockReservation {
  readonly status: ReservationStatus | null;
  readonly lines: readonly {
    readonly productId: string;
    readonly quantity: number;
    readonly status: ReservationStatus;
    readonly reason: string | null;
  }[];
}

const reservationOf = (answer: ReserveStockMutation["reserveStock"]): StockReservation => ({
  status: answer.status,
  lines: answer.lines.map((line) => ({ productId: line.product.id, quantity: line.quantity, status: line.status, reason: line.reason })),
});

/** Stock reservations in the inventory subgraph, keyed by the order's id (idempotent there). */
export function createStockReservations(request: SubgraphRequest) {
  return {
    /** Reserves every line or none; the first call for an order id decides, later ones return that decision. */
    async reserve(orderId: string, lines: readonly RequestedLine[], requestId: string): Promise<StockReservation> {
      const input = { orderId, items: lines.map((line) => ({ productId: line.productId, quantity: line.quantity })) };
      return reservationOf((await request(ReserveStockDocument, { input }, requestId)).reserveStock);
    },
  };
}

export type CartSource = ReturnType<typeof createCartSource>;
export type AddressSource = ReturnType<typeof createAddressSource>;
export type StockReservations = ReturnType<typeof createStockReservations>;
