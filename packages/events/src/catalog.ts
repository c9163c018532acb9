import { z } from "zod";

/** Where order.* events go. */
export const ORDER_TOPIC = "storefront.orders";
/** Where payment.* events go. */
export const PAYMENT_TOPIC = "storefront.payments";
/** Where inventory.* events go. */
export const INVENTORY_TOPIC = "storefront.inventory";
/** Where catalog.* events go. */
export const CATALOG_TOPIC = "storefront.catalog";
export const eventTopics: readonly string[] = [ORDER_TOPIC, PAYMENT_TOPIC, INVENTORY_TOPIC, CATALOG_TOPIC];

/** The dead-letter topic of a topic: messages its consumers can never handle, with the reason in headers. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

export function isDeadLetterTopic(topic: string): boolean {
  return topic.endsWith(".dlq");
}

const id = (what: string) => z.uuid().describe(`The ${what}'s id (UUID).`);
const timestamp = (what: string) => z.iso.datetime({ offset: true }).describe(`When ${what} (RFC 3339).`);

/** An amount of money: integer minor units (cents) and an ISO 4217 currency; never a float. */
export const Money = z
  .object({
    amount: z.int().nonnegative().describe("Integer minor units of the currency (e.g. cents)."),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .describe("ISO 4217 currency code, e.g. EUR."),
  })
  .describe("An amount of money.");
export type Money = z.output<typeof Money>;

/** A machine-readable reason, snake_case (e.g. card_declined). */
const reasonCode = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/)
  .describe("snake_case reason code: card_declined, insufficient_funds, expired_card, fraud_suspected, processing_error, …");

const OrderLine = z.object({
  productId: id("product"),
  sku: z.string().min(1).optional().describe("The product's SKU at the time of the order."),
  quantity: z.int().positive(),
  unitPrice: Money,
});

/** One event type: its versioned name, topic, payload schema and how it is keyed. */
export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  /** The CloudEvents `type`, versioned: `order.placed.v1`. */
  readonly type: string;
  readonly name: string;
  readonly version: number;
  readonly topic: string;
  readonly description: string;
  /** Schema of the envelope's `data`. */
  readonly data: S;
  /** The message key: events with one key keep their order (the order id for order and payment events, the product id for inventory's). */
  key(data: z.output<S>): string;
  /** The CloudEvents `subject` when createEvent is not given one: the resource the event is about. */
  subject(data: z.output<S>): string;
}

function orderEvent<const N extends string, const V extends number, S extends z.ZodType<{ orderId: string }>>(
  name: N,
  version: V,
  description: string,
  data: S,
): EventDefinition<S> & { readonly type: `${N}.v${V}` } {
  return {
    type: `${name}.v${version}`,
    name,
    version,
    topic: ORDER_TOPIC,
    description,
    data,
    key: (d) => d.orderId,
    subject: (d) => d.orderId,
  };
}

function paymentEvent<const N extends string, const V extends number, S extends z.ZodType<{ orderId: string; paymentId: string }>>(
  name: N,
  version: V,
  description: string,
  data: S,
): EventDefinition<S> & { readonly type: `${N}.v${V}` } {
  // keyed by order id too, so every event about one order lands on one partition in publish order
  return {
    type: `${name}.v${version}`,
    name,
    version,
    topic: PAYMENT_TOPIC,
    description,
    data,
    key: (d) => d.orderId,
    subject: (d) => d.paymentId,
  };
}

function inventoryEvent<const N extends string, const V extends number, S extends z.ZodType<{ productId: string }>>(
  name: N,
  version: V,
  description: string,
  data: S,
): EventDefinition<S> & { readonly type: `${N}.v${V}` } {
  // keyed by product id: one product's reports stay in the order inventory committed them
  return {
    type: `${name}.v${version}`,
    name,
    version,
    topic: INVENTORY_TOPIC,
    description,
    data,
    key: (d) => d.productId,
    subject: (d) => d.productId,
  };
}

function catalogEvent<const N extends string, const V extends number, S extends z.ZodType>(
  name: N,
  version: V,
  description: string,
  data: S,
  keyOf: (data: z.output<S>) => string,
): EventDefinition<S> & { readonly type: `${N}.v${V}` } {
  // keyed by the product (or category) id: one thing's changes stay in the order the catalog committed them
  return { type: `${name}.v${version}`, name, version, topic: CATALOG_TOPIC, description, data, key: keyOf, subject: keyOf };
}

/** What about a product changed, for readers that only care about some of it (a search index: the text; a cache: all). */
const ProductChange = z
  .enum(["created", "name", "description", "price", "category", "images", "archived", "restored", "availability"])
  .describe(
    "created: a new product; name, description, price, category, images: that field changed; archived, restored: it left or came back on sale; availability: the catalog's copy of whether it is in stock flipped.",
  );

/**
 * THE registry of event types. A type is never changed incompatibly: a breaking change is a new version
 * (`order.placed.v2`) published alongside the old one until every consumer has moved.
 */
export const eventCatalog = {
  "order.placed.v1": orderEvent(
    "order.placed",
    1,
    "A customer placed an order from their cart; stock should be reserved and payment requested.",
    z.object({
      orderId: id("order"),
      userId: id("customer"),
      items: z.array(OrderLine).min(1),
      total: Money,
      placedAt: timestamp("the order was placed"),
    }),
  ),
  "order.paid.v1": orderEvent(
    "order.paid",
    1,
    "The order's payment was captured; the order can be fulfilled.",
    z.object({
      orderId: id("order"),
      paymentId: id("payment"),
      amount: Money,
      paidAt: timestamp("the order was paid"),
    }),
  ),
  "order.cancelled.v1": orderEvent(
    "order.cancelled",
    1,
    "The order was cancelled; reserved stock is released, and a refund is due when it was paid.",
    z.object({
      orderId: id("order"),
      reason: z.string().min(1).max(500).describe("Why it was cancelled, for people."),
      wasPaid: z.boolean().describe("Whether a payment had been captured (then a refund follows)."),
      cancelledAt: timestamp("the order was cancelled"),
    }),
  ),
  "order.shipped.v1": orderEvent(
    "order.shipped",
    1,
    "The order left the warehouse.",
    z.object({
      orderId: id("order"),
      carrier: z.string().min(1).max(100),
      trackingNumber: z.string().min(1).max(100).optional(),
      shippedAt: timestamp("the order was shipped"),
    }),
  ),
  "order.delivered.v1": orderEvent(
    "order.delivered",
    1,
    "The carrier delivered the order.",
    z.object({
      orderId: id("order"),
      deliveredAt: timestamp("the order was delivered"),
    }),
  ),
  "order.refunded.v1": orderEvent(
    "order.refunded",
    1,
    "Refunds now return all of the order's money; it never ships (again). Units still kept for an order that did not ship go back to stock.",
    z.object({
      orderId: id("order"),
      refundedAmount: Money.describe("All that was refunded of the order, at least its total."),
      wasShipped: z.boolean().describe("Whether the order had left the warehouse (SHIPPED or DELIVERED) before the refund."),
      refundedAt: timestamp("the order became REFUNDED"),
    }),
  ),
  "order.payment_failed.v1": orderEvent(
    "order.payment_failed",
    1,
    "The order could not be paid; it waits for another payment attempt or is cancelled.",
    z.object({
      orderId: id("order"),
      paymentId: id("payment"),
      reasonCode,
      failedAt: timestamp("the payment failed"),
    }),
  ),
  "payment.authorized.v1": paymentEvent(
    "payment.authorized",
    1,
    "The payment provider authorized (reserved) the amount on the customer's payment method.",
    z.object({
      paymentId: id("payment"),
      orderId: id("order"),
      amount: Money,
      authorizedAt: timestamp("the payment was authorized"),
    }),
  ),
  "payment.captured.v1": paymentEvent(
    "payment.captured",
    1,
    "The authorized amount was captured (charged).",
    z.object({
      paymentId: id("payment"),
      orderId: id("order"),
      amount: Money,
      capturedAt: timestamp("the payment was captured"),
    }),
  ),
  "payment.failed.v1": paymentEvent(
    "payment.failed",
    1,
    "The payment provider declined or could not process the payment.",
    z.object({
      paymentId: id("payment"),
      orderId: id("order"),
      reasonCode,
      message: z.string().max(500).optional().describe("The provider's explanation, for people."),
      failedAt: timestamp("the payment failed"),
    }),
  ),
  "payment.refunded.v1": paymentEvent(
    "payment.refunded",
    1,
    "Money was returned to the customer (all or part of a captured payment).",
    z.object({
      paymentId: id("payment"),
      orderId: id("order"),
      refundId: id("refund"),
      amount: Money,
      refundedAt: timestamp("the refund was made"),
    }),
  ),
  "inventory.availability_changed.v1": inventoryEvent(
    "inventory.availability_changed",
    1,
    "A product's stock level changed (on hand or reserved); the newest version of each product is its current availability.",
    z.object({
      productId: id("product"),
      inStock: z.boolean().describe("Whether at least one unit is available (on hand minus reserved > 0)."),
      available: z.int().nonnegative().describe("Units available after the change: on hand minus reserved."),
      version: z
        .int()
        .nonnegative()
        .describe("The product's stock-level version: it grows with every change, so a reader keeps the highest and drops older reports."),
      changedAt: timestamp("the stock level changed"),
    }),
  ),
  "catalog.product_changed.v1": catalogEvent(
    "catalog.product_changed",
    1,
    "A product was created or changed in a way its listings or its page show (name, price, category, on sale or not, in stock or not); caches of catalog answers drop what they hold.",
    z.object({
      productId: id("product"),
      changes: z.array(ProductChange).min(1).describe("What changed; at least one."),
      changedAt: timestamp("the product changed"),
    }),
    (d) => d.productId,
  ),
  "catalog.category_changed.v1": catalogEvent(
    "catalog.category_changed",
    1,
    "A category was created, renamed, given a new slug or moved in the tree; caches of catalog answers drop what they hold.",
    z.object({
      categoryId: id("category"),
      changes: z
        .array(z.enum(["created", "name", "slug", "parent"]))
        .min(1)
        .describe("What changed: created, name, slug, parent (moved)."),
      changedAt: timestamp("the category changed"),
    }),
    (d) => d.categoryId,
  ),
} as const;

for (const [type, definition] of Object.entries(eventCatalog)) {
  // the key is what producers and consumers match on; a mismatch is a typo in this file
  if (definition.type !== type) throw new Error(`event catalogue: key ${type} holds ${definition.type}`);
}

export type EventCatalog = typeof eventCatalog;
/** Every known event type: `"order.placed.v1" | …`. */
export type EventType = keyof EventCatalog;
/** The (validated) `data` of an event type. */
export type EventData<K extends EventType> = z.output<EventCatalog[K]["data"]>;
/** What createEvent accepts as `data` for an event type. */
export type EventDataInput<K extends EventType> = z.input<EventCatalog[K]["data"]>;
/** Event type → its data, for code that maps over every type. */
export type EventDataMap = { [K in EventType]: EventData<K> };

export const eventTypes = Object.keys(eventCatalog) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalog, type);
}

/** The definition of a known event type; throws on an unknown one (a programming error on the producing side). */
export function eventDefinition<K extends EventType>(type: K): EventCatalog[K];
export function eventDefinition(type: string): EventDefinition;
export function eventDefinition(type: string): EventDefinition {
  if (!isEventType(type)) throw new Error(`unknown event type ${JSON.stringify(type)}; known: ${eventTypes.join(", ")}`);
  return eventCatalog[type] as EventDefinition;
}

/** The topic an event type is published to. */
export function topicOf(type: EventType): string {
  return eventCatalog[type].topic;
}
