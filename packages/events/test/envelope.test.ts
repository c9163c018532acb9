import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import {
  CATALOG_TOPIC,
  createEvent,
  deadLetterTopic,
  type EventHandlers,
  eventCatalog,
  eventDefinition,
  eventJsonSchemas,
  eventTopics,
  eventTypes,
  INVENTORY_TOPIC,
  isPermanentError,
  MalformedEventError,
  ORDER_TOPIC,
  PAYMENT_TOPIC,
  parseEnvelope,
  type SqlClient,
  serializeEvent,
  topicOf,
} from "../src/index.ts";
import { orderPlaced } from "./helpers.ts";

describe("envelope", () => {
  test("createEvent fills in the CloudEvents attributes", () => {
    const event = orderPlaced();
    assert.equal(event.specversion, "1.0");
    assert.match(event.id, /^[0-9a-f-]{36}$/);
    assert.equal(event.type, "order.placed.v1");
    assert.equal(event.subject, event.data.orderId);
    assert.equal(event.datacontenttype, "application/json");
    assert.ok(!Number.isNaN(Date.parse(event.time)));
    assert.match(event.correlationid ?? "", /^[0-9a-f-]{36}$/);

    const refund = createEvent({
      type: "payment.refunded.v1",
      source: "/storefront/payments",
      time: new Date("2026-01-02T03:04:05Z"),
      data: {
        paymentId: randomUUID(),
        orderId: randomUUID(),
        refundId: randomUUID(),
        amount: { amount: 500, currency: "EUR" },
        refundedAt: "2026-01-02T03:04:05Z",
      },
    });
    assert.equal(refund.subject, refund.data.paymentId, "payment events are about the payment");
    assert.equal(refund.time, "2026-01-02T03:04:05.000Z");
    assert.equal("correlationid" in refund, false);
  });

  test("createEvent refuses data that does not match the type", () => {
    assert.throws(
      () =>
        createEvent({
          type: "order.cancelled.v1",
          source: "/storefront/orders",
          // @ts-expect-error wasPaid is a boolean
          data: { orderId: randomUUID(), reason: "changed my mind", wasPaid: "no", cancelledAt: new Date().toISOString() },
        }),
      (error: unknown) => error instanceof MalformedEventError && /wasPaid/.test(error.message),
    );
    assert.throws(
      () =>
        createEvent({
          type: "payment.captured.v1",
          source: "/storefront/payments",
          data: {
            paymentId: randomUUID(),
            orderId: randomUUID(),
            amount: { amount: 12.5, currency: "eur" },
            capturedAt: new Date().toISOString(),
          },
        }),
      /amount\.amount.*amount\.currency|amount\.currency/s,
    );
  });

  test("parseEnvelope round-trips, from a string or bytes", () => {
    const event = orderPlaced();
    assert.deepEqual(parseEnvelope(JSON.stringify(event)), event);
    assert.deepEqual(parseEnvelope(new TextEncoder().encode(JSON.stringify(event))), event);
  });

  test("parseEnvelope tolerates fields added within a version (and drops them)", () => {
    const event = orderPlaced();
    const newer = { ...event, data: { ...event.data, giftWrap: true }, someextension: "x" };
    const parsed = parseEnvelope(JSON.stringify(newer));
    assert.deepEqual(parsed.data, event.data);
  });

  test("parseEnvelope throws a permanent MalformedEventError for anything else", () => {
    const event = orderPlaced();
    const cases: [string, string, RegExp][] = [
      ["bad JSON", "{", /not JSON/],
      ["not an object", "42", /not a CloudEvents 1\.0 envelope/],
      ["wrong specversion", JSON.stringify({ ...event, specversion: "0.3" }), /specversion/],
      ["missing id", JSON.stringify({ ...event, id: undefined }), /id/],
      ["missing source", JSON.stringify({ ...event, source: undefined }), /source/],
      ["bad time", JSON.stringify({ ...event, time: "yesterday" }), /time/],
      ["other content type", JSON.stringify({ ...event, datacontenttype: "text/xml" }), /datacontenttype/],
      ["unknown type", JSON.stringify({ ...event, type: "order.placed.v9" }), /unknown event type "order\.placed\.v9"/],
      ["no data", JSON.stringify({ ...event, data: undefined }), /data/],
      ["wrong data", JSON.stringify({ ...event, data: { ...event.data, total: { amount: -1, currency: "EUR" } } }), /total\.amount/],
    ];
    for (const [name, input, reason] of cases) {
      assert.throws(
        () => parseEnvelope(input),
        (error: unknown) => error instanceof MalformedEventError && isPermanentError(error) && reason.test(error.message),
        name,
      );
    }
  });
});

describe("catalogue", () => {
  test("every type is versioned and on its topic; order and payment events are keyed by the order id", () => {
    assert.equal(eventTypes.length, 14);
    const topicOfPrefix: Record<string, string> = {
      order: ORDER_TOPIC,
      payment: PAYMENT_TOPIC,
      inventory: INVENTORY_TOPIC,
      catalog: CATALOG_TOPIC,
    };
    for (const type of eventTypes) {
      const definition = eventDefinition(type);
      assert.match(type, /^(order|payment|inventory|catalog)\.[a-z_]+\.v\d+$/);
      assert.equal(definition.type, type);
      assert.equal(`${definition.name}.v${definition.version}`, type);
      assert.equal(topicOf(type), topicOfPrefix[type.split(".")[0] ?? ""]);
      assert.ok(eventTopics.includes(topicOf(type)));
      assert.ok(definition.description.length > 10);
    }
    assert.equal(deadLetterTopic(ORDER_TOPIC), "storefront.orders.dlq");
    assert.throws(() => eventDefinition("order.exploded.v1"), /unknown event type/);
    const paid = eventCatalog["payment.captured.v1"];
    const orderId = randomUUID();
    assert.equal(
      paid.key({ paymentId: randomUUID(), orderId, amount: { amount: 1, currency: "EUR" }, capturedAt: new Date().toISOString() }),
      orderId,
    );
  });

  test("inventory.availability_changed.v1 is keyed by and about the product, and refuses a negative count or a version that is not an integer", () => {
    const productId = randomUUID();
    const data = { productId, inStock: false, available: 0, version: 7, changedAt: new Date().toISOString() };
    const event = createEvent({ type: "inventory.availability_changed.v1", source: "/storefront/inventory", data });
    assert.equal(event.subject, productId);
    assert.equal(eventCatalog["inventory.availability_changed.v1"].key(event.data), productId);
    assert.equal(topicOf(event.type), "storefront.inventory");
    assert.deepEqual(parseEnvelope(serializeEvent(event)).data, data);
    for (const wrong of [{ available: -1 }, { version: 1.5 }, { version: -1 }, { inStock: "yes" }, { changedAt: "now" }]) {
      assert.throws(
        () =>
          createEvent({
            type: "inventory.availability_changed.v1",
            source: "/storefront/inventory",
            data: { ...data, ...wrong } as typeof data,
          }),
        MalformedEventError,
        JSON.stringify(wrong),
      );
    }
  });

  test("catalog.product_changed.v1 and catalog.category_changed.v1 are keyed by and about what changed, and refuse an empty or unknown change", () => {
    const productId = randomUUID();
    const product = createEvent({
      type: "catalog.product_changed.v1",
      source: "/storefront/catalog",
      data: { productId, changes: ["price"], changedAt: new Date().toISOString() },
    });
    assert.equal(product.subject, productId);
    assert.equal(eventCatalog["catalog.product_changed.v1"].key(product.data), productId);
    assert.equal(topicOf(product.type), "storefront.catalog");
    const categoryId = randomUUID();
    const category = createEvent({
      type: "catalog.category_changed.v1",
      source: "/storefront/catalog",
      data: { categoryId, changes: ["parent"], changedAt: new Date().toISOString() },
    });
    assert.equal(eventCatalog["catalog.category_changed.v1"].key(category.data), categoryId);
    for (const changes of [[], ["colour"]]) {
      assert.throws(
        () =>
          createEvent({
            type: "catalog.product_changed.v1",
            source: "/storefront/catalog",
            data: { productId, changes: changes as ["price"], changedAt: new Date().toISOString() },
          }),
        MalformedEventError,
        JSON.stringify(changes),
      );
    }
  });

  test("JSON Schemas: one per type, describing the whole envelope; schemas/ is up to date", async () => {
    const schemas = eventJsonSchemas();
    assert.deepEqual(Object.keys(schemas), eventTypes);
    assert.deepEqual(eventJsonSchemas(), schemas, "deterministic");
    const placed = schemas["order.placed.v1"] as { $id: string; required: string[]; properties: { type: { const: string } } };
    assert.equal(placed.$id, "https://schemas.storefront.dev/events/order.placed.v1.json");
    assert.equal(placed.properties.type.const, "order.placed.v1");
    assert.ok(placed.required.includes("data"));
    const script = new URL("../scripts/export-schemas.ts", import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, [script, "--check"]);
    assert.match(stdout, /up to date/);
  });

  test("handlers are typed per event type", () => {
    const handlers: EventHandlers<SqlClient> = {
      "order.placed.v1": async (event) => {
        const first: number | undefined = event.data.items[0]?.unitPrice.amount;
        assert.equal(typeof first, "number");
      },
      "payment.failed.v1": async (event) => {
        // @ts-expect-error payment.failed has a reasonCode, not a reason
        assert.ok(event.data.reason === undefined);
      },
    };
    assert.equal(Object.keys(handlers).length, 2);
  });
});
