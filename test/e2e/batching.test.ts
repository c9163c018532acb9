// N+1 guard: a page of products with their category and stock, through the router, costs a
// constant number of SQL statements in each subgraph, whatever the page size.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { type InventoryPrisma, inventorySubgraph } from "@storefront/inventory";
import { createRouter, readRouterSettings } from "@storefront/router";
import { type RunningHttpServer, silentLogger } from "@storefront/service";
import { graphqlRequest, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { parse } from "graphql";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const sdl = (name: string) => parse(readFileSync(path.join(repoRoot, "subgraphs", name, "schema.graphql"), "utf8"));

const PAGE = `query($first: Int) { products(first: $first) { edges { node { sku category { name parent { name } } inStock inventory { available } } } } }`;

describe("batching across the graph", () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let inventory: TestSubgraph<InventoryPrisma>;
  let router: RunningHttpServer;
  let dir: string;

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
    inventory = await startTestSubgraph(inventorySubgraph);
    const parent = await catalog.prisma.category.create({ data: { slug: `batch-root-${Date.now()}`, name: "Root" } });
    const categories = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        catalog.prisma.category.create({ data: { slug: `batch-${Date.now()}-${i}`, name: `Leaf ${i}`, parentId: parent.id } }),
      ),
    );
    for (let i = 0; i < 60; i++) {
      const product = await catalog.prisma.product.create({
        data: {
          sku: `BATCH-${i}-${Date.now()}`,
          name: `Batch ${i}`,
          priceAmount: 100 + i,
          priceCurrency: "EUR",
          categoryId: categories[i % 5]?.id ?? null,
        },
      });
      await inventory.prisma.stockLevel.create({ data: { productId: product.id, onHand: i % 3, reserved: 0 } });
    }
    const composed = composeServices([
      { name: "catalog", url: catalog.url, typeDefs: sdl("catalog") },
      { name: "inventory", url: inventory.url, typeDefs: sdl("inventory") },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join("\n"));
    dir = mkdtempSync(path.join(tmpdir(), "batching-"));
    writeFileSync(path.join(dir, "supergraph.graphql"), composed.supergraphSdl);
    const settings = readRouterSettings({ NODE_ENV: "test", SUPERGRAPH_PATH: path.join(dir, "supergraph.graphql") });
    router = await createRouter({ settings, logger: silentLogger() }).listen(0);
  });
  after(async () => {
    await router?.close();
    await inventory?.close();
    await catalog?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function statementsFor(first: number) {
    const counted = await catalog.database.countQueries(() =>
      inventory.database.countQueries(() => graphqlRequest<{ products: { edges: unknown[] } }>(router.url, PAGE, { first })),
    );
    const { body } = counted.result.result;
    assert.deepEqual(body.errors, undefined);
    assert.equal(body.data?.products.edges.length, first);
    return { catalog: counted.count, inventory: counted.result.count };
  }

  it("costs the same number of SQL statements per subgraph for 5 products as for 50", async () => {
    const small = await statementsFor(5);
    const large = await statementsFor(50);
    assert.deepEqual(large, small, `statements per subgraph: 5 products ${JSON.stringify(small)}, 50 products ${JSON.stringify(large)}`);
    assert.ok(large.catalog <= 6, `catalog: ${large.catalog} statements`);
    assert.ok(large.inventory <= 2, `inventory: ${large.inventory} statements`);
  });
});
