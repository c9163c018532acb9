import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { serializeEvent } from "@storefront/events";
import { createEventDelivery, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import type { CatalogTransaction } from "../src/data/records.ts";
import { catalogEventHandlers } from "../src/events/availability.ts";
import { catalogSubgraph } from "../src/index.ts";
import { aCategory, anAvailabilityChanged, aProduct } from "./builders.ts";

const IN_STOCK = `query($categoryId: ID!, $inStock: Boolean!) {
  products(first: 100, filter: { categoryId: $categoryId, inStock: $inStock }) { totalCount edges { node { id } } }
}`;

type Listing = { products: { totalCount: number; edges: { node: { id: string } }[] } };

describe("the catalog follows inventory's availability reports (inventory.availability_changed.v1)", () => {
  let catalog: TestSubgraph<PrismaClient>;
  let delivery: ReturnType<typeof createEventDelivery<CatalogTransaction>>;

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
    delivery = createEventDelivery({ groupId: "catalog", db: catalog.prisma, handlers: catalogEventHandlers });
  });
  after(async () => {
    await delivery?.close();
    await catalog?.close();
  });

  /** The ids `products(filter: { inStock })` lists in the category. */
  const listed = async (categoryId: string, inStock: boolean) => {
    const { products } = await catalog.query<Listing>(IN_STOCK, { categoryId, inStock });
    assert.equal(products.totalCount, products.edges.length);
    return products.edges.map((edge) => edge.node.id).sort();
  };
  const processedCount = (eventId: string) => catalog.prisma.processedEvent.count({ where: { consumerGroup: "catalog", eventId } });

  it("lists a product as in stock once inventory reports units available, and as sold out once it reports none", async () => {
    const category = await aCategory(catalog.prisma);
    const kettle = await aProduct(catalog.prisma, { categoryId: category.id });
    const toaster = await aProduct(catalog.prisma, { categoryId: category.id });
    assert.deepEqual(await listed(category.id, true), [], "never reported: out of stock");

    await delivery.deliver(anAvailabilityChanged({ productId: kettle.id, available: 3, version: 1 }));
    await delivery.deliver(anAvailabilityChanged({ productId: toaster.id, available: 1, version: 4 }));
    assert.deepEqual(await listed(category.id, true), [kettle.id, toaster.id].sort());

    await delivery.deliver(anAvailabilityChanged({ productId: toaster.id, available: 0, version: 5 }));
    assert.deepEqual(await listed(category.id, true), [kettle.id]);
    assert.deepEqual(await listed(category.id, false), [toaster.id]);
    assert.deepEqual(delivery.deadLetters, []);
  });

  it("ignores a report older than the one it holds, however late it arrives", async () => {
    const category = await aCategory(catalog.prisma);
    const product = await aProduct(catalog.prisma, { categoryId: category.id });

    await delivery.deliver(anAvailabilityChanged({ productId: product.id, available: 0, version: 7 }));
    await delivery.deliver(anAvailabilityChanged({ productId: product.id, available: 5, version: 6 }));
    await delivery.deliver(anAvailabilityChanged({ productId: product.id, available: 2, version: 7 }));

    assert.deepEqual(await listed(category.id, true), []);
    const stored = await catalog.prisma.$queryRaw<{ in_stock: boolean; version: bigint }[]>`
      SELECT in_stock, version FROM product_availability WHERE product_id = ${product.id}::uuid`;
    assert.deepEqual(stored, [{ in_stock: false, version: 7n }]);
  });

  it("has one effect per report when the bus delivers it again", async () => {
    const category = await aCategory(catalog.prisma);
    const product = await aProduct(catalog.prisma, { categoryId: category.id });
    const restocked = anAvailabilityChanged({ productId: product.id, available: 4, version: 1 });

    await delivery.deliver(restocked);
    await delivery.deliver(restocked);

    assert.equal(await processedCount(restocked.id), 1);
    assert.deepEqual(await listed(category.id, true), [product.id]);
  });

  it("dead-letters a report that breaks the event's schema and changes nothing", async () => {
    const category = await aCategory(catalog.prisma);
    const product = await aProduct(catalog.prisma, { categoryId: category.id });
    const good = anAvailabilityChanged({ productId: product.id, available: 1, version: 1 });
    const broken = serializeEvent({ ...good, data: { ...good.data, available: -1, version: 2 } });

    await delivery.deliverRaw(broken, "storefront.inventory");

    assert.equal(delivery.deadLetters.length, 1);
    assert.equal(delivery.deadLetters[0]?.topic, "storefront.inventory.dlq");
    assert.deepEqual(await listed(category.id, true), []);
    delivery.deadLetters.length = 0;
  });
});
