// Inventory and the catalog as the runtime runs them (outbox relay, consumer group, one event bus): a stock change in
// inventory reaches the catalog's `products(filter: { inStock })` through inventory.availability_changed.v1.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createAccessTokenVerifier, generateSigningKeyPair, importAccessTokenSigner, signAccessToken } from "@storefront/auth";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { createTestDatabase, type DatabaseConfig, type TestDatabase } from "@storefront/db";
import { createInProcessBus, type EventBus } from "@storefront/events";
import { inventorySubgraph } from "@storefront/inventory";
import { type RunningSubgraph, startSubgraph } from "@storefront/runtime";
import { silentLogger } from "@storefront/service";
import { graphqlRequest } from "@storefront/testkit";

const LISTED = `query($categoryId: ID!, $inStock: Boolean!) {
  products(first: 10, filter: { categoryId: $categoryId, inStock: $inStock }) { edges { node { id } } }
}`;
const ADJUST = `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { product { inventory { available } } } }`;
const RESERVE = `mutation($input: ReserveStockInput!) { reserveStock(input: $input) { status } }`;
const RELEASE = `mutation($orderId: ID!) { releaseStock(orderId: $orderId, reason: "checkout_abandoned") { status } }`;

/** A throw-away database for a subgraph: a migrated PostgreSQL clone with TEST_POSTGRES_URL, in-memory PGlite otherwise. */
async function aTestDatabase(subgraph: string): Promise<{ config: DatabaseConfig; drop(): Promise<void> }> {
  if (!process.env.TEST_POSTGRES_URL) return { config: { kind: "pglite", dataDir: "memory://" }, drop: async () => {} };
  const database: TestDatabase = await createTestDatabase(subgraph);
  await database.close(); // the subgraph opens its own connections
  if (!database.url) throw new Error("a PostgreSQL test database has a URL");
  return { config: { kind: "postgres", url: database.url }, drop: () => database.drop() };
}

describe("the catalog's availability follows inventory's stock over the event bus", { timeout: 120_000 }, () => {
  const drops: Array<() => Promise<void>> = [];
  let bus: EventBus;
  let catalog: RunningSubgraph<CatalogPrisma>;
  let inventory: RunningSubgraph<unknown>;
  let adminToken: string;

  before(async () => {
    const keys = await generateSigningKeyPair();
    const signer = await importAccessTokenSigner(keys.kid, keys.privateJwk);
    adminToken = (await signAccessToken({ userId: randomUUID(), role: "ADMIN" }, signer, { ttlSeconds: 600 })).token;
    const verifyAccessToken = createAccessTokenVerifier({ jwks: { keys: [keys.publicJwk] } });
    const [catalogDb, inventoryDb] = await Promise.all([aTestDatabase("catalog"), aTestDatabase("inventory")]);
    drops.push(catalogDb.drop, inventoryDb.drop);
    bus = createInProcessBus();
    const common = { bus, logger: silentLogger(), production: false, port: 0, migrate: true, verifyAccessToken } as const;
    catalog = await startSubgraph(catalogSubgraph, { ...common, database: catalogDb.config, subgraphUrls: {} });
    inventory = await startSubgraph(inventorySubgraph, { ...common, database: inventoryDb.config, subgraphUrls: { catalog: catalog.url } });
  });
  after(async () => {
    await inventory?.close();
    await catalog?.close();
    await bus?.close();
    for (const drop of drops) await drop();
  });

  const asAdmin = async <Data>(url: string, query: string, variables: Record<string, unknown>): Promise<Data> => {
    const { body } = await graphqlRequest<Data>(url, query, variables, { authorization: `Bearer ${adminToken}` });
    assert.deepEqual(body.errors, undefined);
    assert.ok(body.data);
    return body.data;
  };
  const isListed = async (categoryId: string, productId: string, inStock: boolean): Promise<boolean> => {
    const { body } = await graphqlRequest<{ products: { edges: { node: { id: string } }[] } }>(catalog.url, LISTED, {
      categoryId,
      inStock,
    });
    assert.deepEqual(body.errors, undefined);
    return (body.data?.products.edges ?? []).some((edge) => edge.node.id === productId);
  };
  /** Waits (up to a deadline) until the catalog lists the product under `inStock` and no longer under its opposite. */
  const untilListed = async (categoryId: string, productId: string, inStock: boolean): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if ((await isListed(categoryId, productId, inStock)) && !(await isListed(categoryId, productId, !inStock))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`the catalog never listed product ${productId} with inStock: ${inStock}`);
  };

  it("lists a product as in stock once inventory receives it, as sold out once its last units are reserved, and again once they are released", async () => {
    const category = await catalog.prisma.category.create({ data: { slug: `kettles-${randomUUID().slice(0, 8)}`, name: "Kettles" } });
    const product = await catalog.prisma.product.create({
      data: {
        sku: `KETTLE-${randomUUID().slice(0, 8)}`,
        name: "Kettle",
        priceAmount: 2_500,
        priceCurrency: "EUR",
        categoryId: category.id,
      },
    });
    assert.equal(await isListed(category.id, product.id, true), false, "not stocked yet");

    const received = await asAdmin<{ adjustStock: { product: { inventory: { available: number } } } }>(inventory.url, ADJUST, {
      input: { productId: product.id, delta: 2, reason: "RECEIVED" },
    });
    assert.equal(received.adjustStock.product.inventory.available, 2);
    await untilListed(category.id, product.id, true);

    const orderId = randomUUID();
    const reserved = await asAdmin<{ reserveStock: { status: string } }>(inventory.url, RESERVE, {
      input: { orderId, items: [{ productId: product.id, quantity: 2 }] },
    });
    assert.equal(reserved.reserveStock.status, "HELD");
    await untilListed(category.id, product.id, false);

    await asAdmin(inventory.url, RELEASE, { orderId });
    await untilListed(category.id, product.id, true);
  });
});
