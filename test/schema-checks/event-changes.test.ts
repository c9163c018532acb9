// How the schema check grades changes of an event's JSON Schema for its consumers, on the catalogue's real schema.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { AcceptedChangesError, parseAcceptedChanges } from "../../scripts/schema-checks/accepted-changes.ts";
import { eventSchemaChanges } from "../../scripts/schema-checks/event-changes.ts";
import { repoRoot } from "./support/scratch-repo.ts";

type Schema = { properties: { data: { properties: Record<string, { type?: unknown }>; required: string[] } } };
const orderPaid = (): Schema => JSON.parse(readFileSync(path.join(repoRoot, "packages/events/schemas/order.paid.v1.json"), "utf8"));

/** The changes from the real order.paid.v1 schema to the one `change` makes of it, as `level coordinate kind`. */
function graded(change: (schema: Schema) => void): string[] {
  const after = orderPaid();
  change(after);
  return eventSchemaChanges("order.paid.v1", orderPaid(), after).map((c) => `${c.level} ${c.coordinate} ${c.kind}`);
}

describe("event schema changes, graded for consumers", () => {
  it("finds nothing when nothing changed", () => {
    assert.deepEqual(
      graded(() => {}),
      [],
    );
  });

  it("grades a new required property as breaking: events already published lack it", () => {
    assert.deepEqual(
      graded((schema) => {
        schema.properties.data.properties.channel = { type: "string" };
        schema.properties.data.required.push("channel");
      }),
      ["breaking order.paid.v1#data.channel REQUIRED_PROPERTY_ADDED"],
    );
  });

  it("grades a new optional property as safe", () => {
    assert.deepEqual(
      graded((schema) => {
        schema.properties.data.properties.channel = { type: "string" };
      }),
      ["safe order.paid.v1#data.channel OPTIONAL_PROPERTY_ADDED"],
    );
  });

  it("grades a changed type as breaking", () => {
    assert.deepEqual(
      graded((schema) => {
        const paidAt = schema.properties.data.properties.paidAt;
        assert.ok(paidAt, "order.paid.v1 has data.paidAt");
        schema.properties.data.properties.paidAt = { ...paidAt, type: "integer" };
      }),
      ["breaking order.paid.v1#data.paidAt TYPE_CHANGED"],
    );
  });

  it("grades a property no longer required as breaking: consumers may find it absent", () => {
    assert.deepEqual(
      graded((schema) => {
        schema.properties.data.required = schema.properties.data.required.filter((name) => name !== "paymentId");
      }),
      ["breaking order.paid.v1#data.paymentId PROPERTY_MADE_OPTIONAL"],
    );
  });

  it("grades a removed event type as breaking and a new one as safe", () => {
    assert.deepEqual(
      eventSchemaChanges("order.paid.v1", orderPaid(), null).map((c) => `${c.level} ${c.coordinate}`),
      ["breaking order.paid.v1"],
    );
    assert.deepEqual(
      eventSchemaChanges("order.paid.v2", null, orderPaid()).map((c) => `${c.level} ${c.coordinate}`),
      ["safe order.paid.v2"],
    );
  });
});

describe("schema/accepted-changes", () => {
  it("reads one coordinate and its reason a line, skipping comments and blank lines", () => {
    assert.deepEqual(parseAcceptedChanges("# why this file\n\nProduct.inStock  Nobody reads it since the web app moved on.\n"), [
      { coordinate: "Product.inStock", reason: "Nobody reads it since the web app moved on.", line: 3 },
    ]);
  });

  it("refuses an entry without a reason, naming its line", () => {
    assert.throws(
      () => parseAcceptedChanges("# header\nProduct.inStock\n"),
      (error: unknown) => {
        assert.ok(error instanceof AcceptedChangesError);
        assert.match(error.message, /^schema\/accepted-changes:2: "Product\.inStock" needs a reason/);
        return true;
      },
    );
  });
});
