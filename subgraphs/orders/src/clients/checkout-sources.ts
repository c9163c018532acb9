import type { FetchEntities, SubgraphRequest } from "@storefront/service";
import type { RequestedLine } from "../domain/order-lines.ts";
import type { ShippingAddress } from "../domain/shipping-address.ts";

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
      type CartOfUser = { cart: { items: { product: { id: string }; quantity: number; purchasable: boolean | null }[] } };
      const [user] = await fetchEntities<CartOfUser>(
        "User",
        [{ id: userId }],
        "cart { items { product { id } quantity purchasable } }",
        requestId,
      );
      return (user?.cart.items ?? []).map((item) => ({
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
      const [user] = await fetchEntities<{ addresses: AddressSnapshot[] | null }>(
        "User",
        [{ id: userId }],
        "addresses { id recipientName line1 line2 city region postalCode countryCode phone isDefault }",
        requestId,
      );
      return user?.addresses ?? [];
    },
  };
}

export type ReservationStatus = "HELD" | "COMMITTED" | "RELEASED" | "RESTOCKED" | "REJECTED";

export interface StockReservation {
  readonly status: ReservationStatus | null;
  readonly lines: readonly {
    readonly productId: string;
    readonly quantity: number;
    readonly status: ReservationStatus;
    readonly reason: string | null;
  }[];
}

const RESERVATION = "status lines { product { id } quantity status reason }";
type ReservationAnswer = {
  status: ReservationStatus | null;
  lines: { product: { id: string }; quantity: number; status: ReservationStatus; reason: string | null }[];
};
const reservationOf = (answer: ReservationAnswer): StockReservation => ({
  status: answer.status,
  lines: answer.lines.map((line) => ({ productId: line.product.id, quantity: line.quantity, status: line.status, reason: line.reason })),
});

/** Stock reservations in the inventory subgraph, keyed by the order's id (idempotent there). */
export function createStockReservations(request: SubgraphRequest) {
  const reserve = `mutation($input: ReserveStockInput!) { reserveStock(input: $input) { ${RESERVATION} } }`;
  return {
    /** Reserves every line or none; the first call for an order id decides, later ones return that decision. */
    async reserve(orderId: string, lines: readonly RequestedLine[], requestId: string): Promise<StockReservation> {
      const input = { orderId, items: lines.map((line) => ({ productId: line.productId, quantity: line.quantity })) };
      return reservationOf((await request<{ reserveStock: ReservationAnswer }>(reserve, { input }, requestId)).reserveStock);
    },
  };
}

export type CartSource = ReturnType<typeof createCartSource>;
export type AddressSource = ReturnType<typeof createAddressSource>;
export type StockReservations = ReturnType<typeof createStockReservations>;
