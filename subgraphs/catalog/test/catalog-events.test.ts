// The catalog announces its changes (catalog.product_changed.v1, catalog.category_changed.v1) through its outbox, in
// the transaction of the change, so caches of its answers (the router's response cache) can drop them.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseEnvelope } from "@storefront/events";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { catalogSubgraph } from "../src/index.ts";
import { aCategory, anAdmin, anAvailabilityReport, aProduct, aUniqueWord } from "./builders.ts";

const UPDATE_PRODUCT = "mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }";
const ARCHIVE_PRODUCT = "mutation($id: ID!) { archiveProduct(id: $id) { id } }";
const CREATE_PRODUCT = "mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }";
const MOVE_CATEGORY = "mutation($id: ID!, $parentId: ID) { moveCategory(id: $id, parentId: $parentId) { id } }";

describe("the catalog's change events", () => {
  let catalog: TestSubgraph<PrismaClient>;
  const admin = anAdmin();

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
  });
  after(() => catalog.close());

  /** What the outbox holds about `subject` (a product or category id), oldest first, as type and changes. */
  async function announced(subject: string): Promise<string[]> {
    const rows = await catalog.prisma.outboxEvent.findMany({ where: { key: subject }, orderBy: { seq: "asc" } });
    return rows.map((row) => {
      const event = parseEnvelope(JSON.stringify(row.payload));
      assert.equal(row.topic, "storefront.catalog");
      assert.equal(event.subject, subject);
      return `${event.type} ${"changes" in event.data ? event.data.changes.join(",") : ""}`;
    });
  }

  it("announces a created product, a price change and archiving, each with what changed, and wakes the relay after each", async () => {
    const notified = catalog.outboxNotifications.count;
    const { createProduct } = await catalog.query<{ createProduct: { id: string } }>(
      CREATE_PRODUCT,
      { input: { sku: `EVT-${aUniqueWord()}`, name: "Kettle", price: { amount: 4_990, currency: "EUR" } } },
      { viewer: admin },
    );
    const id = createProduct.id;
    await catalog.query(UPDATE_PRODUCT, { id, input: { name: "Kettle 2", price: { amount: 3_990, currency: "EUR" } } }, { viewer: admin });
    await catalog.query(ARCHIVE_PRODUCT, { id }, { viewer: admin });
    assert.deepEqual(await announced(id), [
      "catalog.product_changed.v1 created",
      "catalog.product_changed.v1 name,price",
      "catalog.product_changed.v1 archived",
    ]);
    assert.equal(catalog.outboxNotifications.count, notified + 3);
  });

  it("announces nothing when a change is refused: an unknown category leaves neither the product changed nor an event", async () => {
    const product = await aProduct(catalog.prisma);
    const result = await catalog.execute(
      UPDATE_PRODUCT,
      { id: product.id, input: { categoryId: "0193a9a0-0000-7000-8000-000000000000" } },
      { viewer: admin },
    );
    assert.ok(result.errors?.length);
    assert.deepEqual(await announced(product.id), []);
  });

  it("announces a category moved under another, and not one left where it was", async () => {
    const [parent, child] = await Promise.all([aCategory(catalog.prisma), aCategory(catalog.prisma)]);
    await catalog.query(MOVE_CATEGORY, { id: child.id, parentId: parent.id }, { viewer: admin });
    await catalog.query(MOVE_CATEGORY, { id: child.id, parentId: parent.id }, { viewer: admin });
    assert.deepEqual(await announced(child.id), ["catalog.category_changed.v1 parent"]);
  });

  it("announces a product moving in or out of stock in its own listings (availability), and not a report that leaves it as it was", async () => {
    const product = await aProduct(catalog.prisma);
    await anAvailabilityReport(catalog.prisma, { productId: product.id, inStock: true, version: 1 });
    await anAvailabilityReport(catalog.prisma, { productId: product.id, inStock: true, version: 2 });
    await anAvailabilityReport(catalog.prisma, { productId: product.id, inStock: false, version: 3 });
    // older than the stored report: ignored, so nothing to announce either
    await anAvailabilityReport(catalog.prisma, { productId: product.id, inStock: true, version: 2 });
    assert.deepEqual(await announced(product.id), ["catalog.product_changed.v1 availability", "catalog.product_changed.v1 availability"]);
  });
});
