// Operation limits: depth, aliases, root fields, tokens, directives and a cost estimate from the supergraph's
// @cost/@listSize, each refused before the query planner runs (no subgraph sees the operation), through a router
// over the real catalog and inventory subgraphs.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { type InventoryPrisma, inventorySubgraph } from "@storefront/inventory";
import { type RunningHttpServer, silentLogger } from "@storefront/service";
import { graphqlRequest, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { buildSchema, getIntrospectionQuery, parse } from "graphql";
import { createRouter, readRouterSettings } from "../src/index.ts";
import { costDirectivesOf, estimateCost } from "../src/limits/cost.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const sdlOf = (name: string) => readFileSync(path.join(repoRoot, "subgraphs", name, "schema.graphql"), "utf8");

function compose(subgraphs: { name: string; url: string; sdl: string }[]): string {
  const result = composeServices(subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.supergraphSdl;
}

/** `category { children { parent { … } } }`, `pairs` times: each pair can double the answer. */
const childrenParentPairs = (pairs: number) => `${"children { parent { ".repeat(pairs)}id${" } }".repeat(pairs)}`;
const repeat = (count: number, make: (i: number) => string) => Array.from({ length: count }, (_, i) => make(i)).join(" ");

type Refusal = { status: number; code: unknown; limit: unknown; max: unknown; actual: unknown; message: string };

describe("operation limits", () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let inventory: TestSubgraph<InventoryPrisma>;
  let router: RunningHttpServer;
  let dir: string;
  let supergraphPath: string;
  let rootSlug = "";
  const subgraphSdls = () => [
    { name: "catalog", url: catalog.url, sdl: sdlOf("catalog") },
    { name: "inventory", url: inventory.url, sdl: sdlOf("inventory") },
  ];

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
    inventory = await startTestSubgraph(inventorySubgraph);
    rootSlug = `limits-root-${Date.now()}`;
    const root = await catalog.prisma.category.create({ data: { slug: rootSlug, name: "Root" } });
    const leaves = await Promise.all(
      [0, 1].map((i) => catalog.prisma.category.create({ data: { slug: `${rootSlug}-${i}`, name: `Leaf ${i}`, parentId: root.id } })),
    );
    for (let i = 0; i < 60; i++) {
      const product = await catalog.prisma.product.create({
        data: {
          sku: `LIMITS-${i}-${Date.now()}`,
          name: `Limits ${i}`,
          priceAmount: 100 + i,
          priceCurrency: "EUR",
          categoryId: leaves[i % 2]?.id ?? null,
        },
      });
      await inventory.prisma.stockLevel.create({ data: { productId: product.id, onHand: 5, reserved: 0 } });
    }
    dir = mkdtempSync(path.join(tmpdir(), "router-limits-"));
    supergraphPath = path.join(dir, "supergraph.graphql");
    writeFileSync(supergraphPath, compose(subgraphSdls()));
    // Nothing but the defaults: they are what is being specified.
    const settings = readRouterSettings({ NODE_ENV: "test", SUPERGRAPH_PATH: supergraphPath });
    router = await createRouter({ settings, logger: silentLogger() }).listen(0);
  });
  after(async () => {
    await router?.close();
    await inventory?.close();
    await catalog?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Sends an operation and counts the SQL statements both subgraphs ran for it. */
  async function send(query: string, variables?: Record<string, unknown>, operationName?: string) {
    const counted = await catalog.database.countQueries(() =>
      inventory.database.countQueries(() => graphqlRequest<Record<string, unknown>>(router.url, query, variables, {}, operationName)),
    );
    return { ...counted.result.result, statements: counted.count + counted.result.count };
  }

  /** Sends an operation that must be refused by a limit before any subgraph works on it. */
  async function refusal(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<Refusal> {
    const { status, body, statements } = await send(query, variables, operationName);
    assert.equal(body.errors?.length, 1, JSON.stringify(body));
    assert.equal(body.data, undefined, "a refused operation has no data");
    assert.equal(statements, 0, "no subgraph ran a statement for a refused operation");
    const [error] = body.errors ?? [];
    const extensions = error?.extensions ?? {};
    return {
      status,
      code: extensions.code,
      limit: extensions.limit,
      max: extensions.max,
      actual: extensions.actual,
      message: error?.message ?? "",
    };
  }

  it("refuses an operation nested deeper than 15 levels (the 370-byte children/parent shape) with OPERATION_LIMIT_EXCEEDED", async () => {
    const refused = await refusal(`{ category(slug: "${rootSlug}") { ${childrenParentPairs(13)} } }`);
    assert.deepEqual(refused, {
      status: 400,
      code: "OPERATION_LIMIT_EXCEEDED",
      limit: "depth",
      max: 15,
      actual: 28,
      message: "Operation refused: it nests fields 28 levels deep; the depth limit is 15.",
    });
  });

  it("serves the same shape at a depth within the limit", async () => {
    const { status, body } = await send(`{ category(slug: "${rootSlug}") { ${childrenParentPairs(3)} } }`);
    assert.equal(status, 200);
    assert.deepEqual(body.errors, undefined);
    assert.ok(body.data?.category);
  });

  it("refuses more than 30 aliases, counted wherever they are in the operation", async () => {
    const refused = await refusal(`{ products(first: 1) { edges { node { ${repeat(31, (i) => `n${i}: name`)} } } } }`);
    assert.deepEqual(
      [refused.status, refused.code, refused.limit, refused.max, refused.actual],
      [400, "OPERATION_LIMIT_EXCEEDED", "aliases", 30, 31],
    );
    assert.match(refused.message, /uses 31 aliases; the aliases limit is 30/);
  });

  it("refuses more than 20 root fields, each aliased copy counted", async () => {
    const refused = await refusal(`{ ${repeat(21, (i) => `c${i}: categories { id }`)} }`);
    assert.deepEqual(
      [refused.status, refused.code, refused.limit, refused.max, refused.actual],
      [400, "OPERATION_LIMIT_EXCEEDED", "rootFields", 20, 21],
    );
  });

  it("refuses a document of more than 2,000 tokens while parsing it, with the limit's code instead of a parse failure", async () => {
    // 5,000 aliases of `categories { id }` (124 KB): the token limit stops it long before the aliases are counted.
    const refused = await refusal(`{ ${repeat(5_000, (i) => `a${i}: categories { id }`)} }`);
    assert.deepEqual(refused, {
      status: 400,
      code: "OPERATION_LIMIT_EXCEEDED",
      limit: "tokens",
      max: 2_000,
      actual: undefined,
      message: "Operation refused: it is a document of more than 2000 tokens; the tokens limit is 2000.",
    });
  });

  it("refuses more than 50 directives", async () => {
    const refused = await refusal(`{ categories { ${repeat(51, () => "name @include(if: true)")} } }`);
    assert.deepEqual(
      [refused.status, refused.code, refused.limit, refused.max, refused.actual],
      [400, "OPERATION_LIMIT_EXCEEDED", "directives", 50, 51],
    );
  });

  it("refuses an operation whose cost, from @listSize and the `first` it asks for, is over 5,000", async () => {
    // Each copy: the connection 1 + 100 edges × (edge, product, inventory, category: 1 each) = 401; 13 copies = 5,213.
    const copy = (i: number) => `p${i}: products(first: 100) { edges { node { id inventory { available } category { name } } } }`;
    const refused = await refusal(`{ ${repeat(13, copy)} }`);
    assert.deepEqual(
      [refused.status, refused.code, refused.limit, refused.max, refused.actual],
      [400, "OPERATION_LIMIT_EXCEEDED", "cost", 5_000, 5_213],
    );
    assert.match(refused.message, /estimated cost of 5213/);
    // The cost of an operation without variables is remembered with its cached document: the same verdict again.
    const again = await refusal(`{ ${repeat(13, copy)} }`);
    assert.deepEqual([again.status, again.limit, again.actual], [400, "cost", 5_213]);
  });

  it("estimates each operation of a document by its own name: a cheap one runs, an expensive one is refused", async () => {
    const copy = (i: number) => `p${i}: products(first: 100) { edges { node { id inventory { available } category { name } } } }`;
    const document = `query Cheap { categories { id } } query Dear { ${repeat(13, copy)} }`;
    for (let round = 0; round < 2; round++) {
      const cheap = await send(document, undefined, "Cheap");
      assert.deepEqual([cheap.status, cheap.body.errors], [200, undefined]);
      const refused = await refusal(document, undefined, "Dear");
      assert.deepEqual([refused.status, refused.limit, refused.actual], [400, "cost", 5_213]);
    }
  });

  it("estimates the cost with the variables sent: the same document runs with a small `first` and is refused with a large one", async () => {
    const query = `query Pages($first: Int) { ${repeat(13, (i) => `p${i}: products(first: $first) { edges { node { id inventory { available } category { name } } } }`)} }`;
    const small = await send(query, { first: 10 });
    assert.deepEqual(small.body.errors, undefined);
    assert.equal(small.status, 200);
    // Apollo caches the document after its first run: the cost must still be estimated again for these variables.
    const refused = await refusal(query, { first: 100 });
    assert.deepEqual([refused.code, refused.limit, refused.actual], ["OPERATION_LIMIT_EXCEEDED", "cost", 13 * 401]);
  });

  it("answers BAD_USER_INPUT, before planning, for variables the operation cannot use", async () => {
    const { status, body, statements } = await send("query($first: Int) { products(first: $first) { totalCount } }", { first: "many" });
    assert.equal(status, 400);
    assert.equal(statements, 0);
    assert.equal(body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
    assert.match(body.errors?.[0]?.message ?? "", /\$first/);
  });

  it("serves a storefront listing of 50 products with stock and category, and a full introspection, under the default limits", async () => {
    const listing = await send(
      `query Listing { products(first: 50) { totalCount edges { cursor node { id sku name images price { amount currency } category { name path { slug name } } inStock inventory { onHand reserved available } } } pageInfo { hasNextPage endCursor } } }`,
    );
    assert.deepEqual(listing.body.errors, undefined);
    const listed = listing.body.data as { products: { edges: unknown[] } } | undefined;
    assert.equal(listed?.products.edges.length, 50);
    const introspection = await send(
      getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }),
    );
    assert.deepEqual(introspection.body.errors, undefined);
    assert.ok(introspection.body.data?.__schema);
  });

  it("reads @listSize again when the supergraph is reloaded", async () => {
    const menu = `{ categories { id children { id } } }`;
    assert.deepEqual((await send(menu)).body.errors, undefined, "10 categories × (1 + 5 children) = 60");
    // The same subgraphs, with the catalog now declaring 1,000 top-level categories: 1,000 × 6 = 6,000.
    const catalogSdl = sdlOf("catalog").replace(
      "categories: [Category!]! @listSize(assumedSize: 10)",
      "categories: [Category!]! @listSize(assumedSize: 1000)",
    );
    assert.notEqual(catalogSdl, sdlOf("catalog"), "the catalog SDL declares the size of `categories`");
    writeFileSync(
      supergraphPath,
      compose([
        { name: "catalog", url: catalog.url, sdl: catalogSdl },
        { name: "inventory", url: inventory.url, sdl: sdlOf("inventory") },
      ]),
    );
    const deadline = Date.now() + 10_000;
    let answer = await send(menu);
    while (!answer.body.errors && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await send(menu);
    }
    assert.equal(answer.body.errors?.[0]?.extensions?.code, "OPERATION_LIMIT_EXCEEDED");
    assert.equal(answer.body.errors?.[0]?.extensions?.actual, 6_000);
    writeFileSync(supergraphPath, compose(subgraphSdls()));
  });

  describe("in production", () => {
    let production: RunningHttpServer;
    before(async () => {
      const settings = readRouterSettings({ NODE_ENV: "production", SUPERGRAPH_PATH: supergraphPath });
      production = await createRouter({ settings, logger: silentLogger() }).listen(0);
    });
    after(async () => {
      await production?.close();
    });

    it("keeps a refusal's code, limit and figures (no masking, no stack trace)", async () => {
      const deep = await graphqlRequest(production.url, `{ category(slug: "${rootSlug}") { ${childrenParentPairs(13)} } }`);
      assert.equal(deep.status, 400);
      assert.deepEqual(deep.body.errors?.[0]?.extensions, { code: "OPERATION_LIMIT_EXCEEDED", limit: "depth", max: 15, actual: 28 });
      const long = await graphqlRequest(production.url, `{ ${repeat(1_000, (i) => `a${i}: __typename`)} }`);
      assert.equal(long.status, 400);
      assert.deepEqual(long.body.errors?.[0]?.extensions, { code: "OPERATION_LIMIT_EXCEEDED", limit: "tokens", max: 2_000 });
    });
  });

  describe("with a limit set to 0", () => {
    let unlimited: RunningHttpServer;
    before(async () => {
      const settings = readRouterSettings({ NODE_ENV: "test", SUPERGRAPH_PATH: supergraphPath, MAX_DEPTH: "0", MAX_COST: "0" });
      unlimited = await createRouter({ settings, logger: silentLogger() }).listen(0);
    });
    after(async () => {
      await unlimited?.close();
    });

    it("lets through what that limit would refuse, and still applies the others", async () => {
      const deep = await graphqlRequest(unlimited.url, `{ category(slug: "${rootSlug}") { ${childrenParentPairs(8)} } }`);
      assert.deepEqual(deep.body.errors, undefined);
      const aliased = await graphqlRequest(unlimited.url, `{ ${repeat(21, (i) => `c${i}: categories { id }`)} }`);
      assert.equal(aliased.body.errors?.[0]?.extensions?.limit, "rootFields");
    });
  });
});

describe("cost estimate", () => {
  // A small graph that uses every part of the cost spec the estimate reads.
  const sdl = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.12", import: ["@key", "@cost", "@listSize"])
type Query {
  shelves(first: Int = 5, last: Int): ShelfPage! @listSize(slicingArguments: ["first", "last"], sizedFields: ["items"], requireOneSlicingArgument: false)
  tags: [String!]!
  crates: [Crate!]! @listSize(assumedSize: 3)
  heavy: Crate! @cost(weight: 7)
  search(text: String @cost(weight: 4)): [Crate!]!
}
type Mutation { restock: Crate! }
type ShelfPage { items: [Crate!]! total: Int! }
type Crate @key(fields: "id") @cost(weight: 2) { id: ID! label: String! parts: [Part!]! }
type Part { id: ID! }`;
  const supergraph = compose([{ name: "warehouse", url: "http://127.0.0.1:1/graphql", sdl }]);
  const directives = costDirectivesOf(supergraph);
  const schema = buildSchema(`type Query {
  shelves(first: Int = 5, last: Int): ShelfPage!
  tags: [String!]!
  crates: [Crate!]!
  heavy: Crate!
  search(text: String): [Crate!]!
}
type Mutation { restock: Crate! }
type ShelfPage { items: [Crate!]! total: Int! }
type Crate { id: ID! label: String! parts: [Part!]! }
type Part { id: ID! }`);
  const cost = (query: string, variables?: Record<string, unknown>, defaultListSize = 10) =>
    estimateCost({ schema, document: parse(query), variables, directives, defaultListSize });

  it("reads @cost and @listSize from the composed supergraph", () => {
    assert.deepEqual(Object.fromEntries(directives.weights), { Crate: 2, "Query.heavy": 7, "Query.search(text:)": 4 });
    assert.deepEqual(directives.listSizes.get("Query.crates"), { assumedSize: 3, slicingArguments: [], sizedFields: [] });
  });

  it("sizes a connection's sized field by its slicing argument, the default value when none is given", () => {
    // page 1 + first × (crate 2 + parts 10 × part 1)
    assert.equal(cost("{ shelves(first: 4) { total items { id parts { id } } } }"), 1 + 4 * 12);
    assert.equal(cost("{ shelves { items { id } } }"), 1 + 5 * 2);
    assert.equal(cost("query($n: Int) { shelves(first: $n) { items { id } } }", { n: 50 }), 1 + 50 * 2);
    assert.equal(cost("{ shelves(first: 2, last: 9) { items { id } } }"), 1 + 9 * 2, "the largest slicing argument counts");
  });

  it("uses the assumed size, then the default list size, and weighs leaves 0, @cost fields and arguments as declared, a mutation 10 more", () => {
    assert.equal(cost("{ crates { id } }"), 3 * 2);
    assert.equal(cost("{ crates { parts { id } } }", undefined, 4), 3 * (2 + 4 * 1));
    assert.equal(cost("{ tags }"), 0);
    assert.equal(cost("{ heavy { id } }"), 7);
    assert.equal(cost('{ search(text: "x") { id } }'), 10 * 2 + 4);
    assert.equal(cost("{ search { id } }"), 10 * 2, "an argument's weight counts only when it is given");
    assert.equal(cost("mutation { restock { id } }"), 10 + 2);
  });

  it("follows fragments, skips what @skip/@include leave out, and does not count introspection", () => {
    assert.equal(
      cost("{ shelves(first: 3) { ...Page } } fragment Page on ShelfPage { items { ...Crate } } fragment Crate on Crate { id }"),
      1 + 3 * 2,
    );
    assert.equal(cost("query($all: Boolean!) { crates @include(if: $all) { id } heavy { id } }", { all: false }), 7);
    assert.equal(cost("{ shelves(first: 3) { items @skip(if: true) { id } } }"), 1);
    assert.equal(cost('{ __schema { types { name fields { name } } } __type(name: "Crate") { name } }'), 0);
  });
});
