import { createHash } from "node:crypto";
import { ErrorCode } from "@storefront/errors";
import type { Logger } from "@storefront/service";
import type { CatalogClient } from "./clients/catalog.ts";
import type { AddressSnapshot, AddressSource, CartSource, StockReservation, StockReservations } from "./clients/checkout-sources.ts";
import type { OrderStore } from "./data/order-store.ts";
import type { OrderRecord } from "./data/records.ts";
import { priceOrder, validateRequestedLines } from "./domain/order-lines.ts";
import type { ShippingAddress } from "./domain/shipping-address.ts";

export interface CheckoutDeps {
  readonly store: OrderStore;
  readonly catalog: CatalogClient;
  readonly cart: CartSource;
  readonly addresses: AddressSource;
  readonly stock: StockReservations;
  readonly logger: Logger;
}

export interface CheckoutRequest {
  readonly userId: string;
  readonly idempotencyKey: string;
  readonly shippingAddressId: string | null;
  readonly requestId: string;
}

/**
 * The order id a checkout uses: derived from the customer and the idempotency key (a name-based UUID, version 8 of
 * RFC 9562, from SHA-256), so every retry of one checkout, concurrent or not, reserves stock under the same id and
 * inventory's idempotency makes them one reservation.
 */
export function checkoutOrderId(userId: string, idempotencyKey: string): string {
  const bytes = createHash("sha256").update(`storefront:checkout\0${userId}\0${idempotencyKey}`, "utf8").digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The address the order ships to: the one asked for, else the default; refused when there is none. */
function shippingAddressFrom(book: readonly AddressSnapshot[], addressId: string | null): ShippingAddress {
  const chosen =
    addressId === null ? (book.find((address) => address.isDefault) ?? book[0]) : book.find((address) => address.id === addressId);
  if (addressId !== null && !chosen) {
    throw ErrorCode.NOT_FOUND.err(`Address ${addressId} is not in your address book.`, {
      extensions: { argument: "input.shippingAddressId" },
    });
  }
  if (!chosen) {
    throw ErrorCode.BAD_USER_INPUT.err("Add a shipping address to your address book before checking out.", {
      extensions: { reason: "no_shipping_address" },
    });
  }
  const { id: _id, isDefault: _default, ...address } = chosen;
  return address;
}

/** Why a reservation holds nothing for the checkout, as the error the customer sees. */
function refusal(reservation: StockReservation) {
  const short = reservation.lines.filter((line) => line.reason === "insufficient_stock");
  if (reservation.status === "REJECTED" && short.length > 0) {
    return ErrorCode.OUT_OF_STOCK.err(
      short.length === 1
        ? "An item of your cart is not in stock in that quantity."
        : `${short.length} items of your cart are not in stock in those quantities.`,
      { extensions: { lines: short.map((line) => ({ productId: line.productId, quantity: line.quantity })) } },
    );
  }
  // released (or rejected as cancelled) before an order was stored: this key's checkout is over
  return ErrorCode.CONFLICT.err("This checkout was cancelled; start a new one with a new idempotency key.", {
    extensions: { reason: "checkout_cancelled" },
  });
}

/**
 * Checkout: the customer's cart becomes an order waiting for payment.
 *
 * 1. A known idempotency key returns its order.
 * 2. The cart (cart subgraph), the address book (users) and the current prices (catalog) are read.
 * 3. Inventory reserves every line or none, under the order's id; not enough stock refuses the checkout here, with
 *    nothing stored, so stock is never promised twice (inventory's row locks decide races).
 * 4. The order, its history and its order.placed event are stored in one transaction.
 *
 * Every refusal or failure of an attempt is checked against the key's order once more before it is answered: a
 * concurrent attempt with the same key may have stored the order meanwhile, and its order.placed emptied the cart
 * this attempt read (cart_empty) or its payment committed the stock this attempt found not held. Only an order stored
 * before the cart was read can empty it, so that second look always finds it: same key, same order or same refusal.
 *
 * When step 4 fails after step 3 held stock, the hold stays: a retry with the same key finds it (same order id),
 * renews it and goes on. order.placed, on its way through Kafka, then confirms the hold for inventory. A hold that
 * neither a retry nor order.placed claims is released by inventory once orders says the order does not exist
 * (ORPHAN_HOLD_SECONDS, subgraphs/inventory/src/jobs/orphan-holds.ts).
 */
export function createCheckout({ store, catalog, cart, addresses, stock, logger }: CheckoutDeps) {
  return async function checkout({ userId, idempotencyKey, shippingAddressId, requestId }: CheckoutRequest): Promise<{
    order: OrderRecord;
    created: boolean;
  }> {
    const earlier = await store.orderByIdempotencyKey(userId, idempotencyKey);
    if (earlier) return { order: earlier, created: false };
    try {
      return await placeNewOrder({ userId, idempotencyKey, shippingAddressId, requestId });
    } catch (error) {
      const stored = await store.orderByIdempotencyKey(userId, idempotencyKey).catch(() => null);
      if (stored) return { order: stored, created: false };
      throw error;
    }
  };

  async function placeNewOrder({ userId, idempotencyKey, shippingAddressId, requestId }: CheckoutRequest): Promise<{
    order: OrderRecord;
    created: boolean;
  }> {
    const [lines, book] = await Promise.all([cart.linesOf(userId, requestId), addresses.addressesOf(userId, requestId)]);
    const shippingAddress = shippingAddressFrom(book, shippingAddressId);
    if (lines.length === 0) {
      throw ErrorCode.BAD_USER_INPUT.err("Your cart is empty: add something before checking out.", {
        extensions: { reason: "cart_empty" },
      });
    }
    const gone = lines.find((line) => line.purchasable === false);
    if (gone) {
      throw ErrorCode.BAD_USER_INPUT.err("An item of your cart is no longer sold; remove it and check out again.", {
        extensions: { reason: "product_unavailable", productId: gone.productId },
      });
    }
    validateRequestedLines(lines);
    const priced = priceOrder(
      lines,
      await catalog.productSnapshots(
        lines.map((line) => line.productId),
        requestId,
      ),
    );

    const orderId = checkoutOrderId(userId, idempotencyKey);
    const reservation = await stock.reserve(orderId, lines, requestId);
    if (reservation.status !== "HELD") throw refusal(reservation);

    try {
      return await store.placeOrder({ id: orderId, userId, priced, shippingAddress, idempotencyKey, correlationId: requestId });
    } catch (error) {
      logger.warn({ err: error, orderId }, "the order could not be stored after its stock was reserved; the hold waits for a retry");
      throw error;
    }
  }
}

export type Checkout = ReturnType<typeof createCheckout>;
