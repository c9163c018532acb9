// Persisted operations: Apollo's APQ through the gateway, and a manifest of trusted operations (Apollo's persisted
// query manifest or GraphQL Code Generator's persisted-documents.json) served by id, in `prefer` and `safelist`
// modes, through a router over the real catalog subgraph.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { type RunningHttpServer, silentLogger } from "@storefront/service";
import { graphqlRequest, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { getIntrospectionQuery, parse } from "graphql";
import { createRouter, readRouterSettings } from "../src/index.ts";
import { InvalidManifestError, parseManifest } from "../src/persisted-operations.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const PRODUCT = "query ProductBySku($sku: String!) { product(sku: $sku) { name } }";
const CATEGORIES = "query Categories { categories { slug } }";
const NOT_LISTED = "query Unlisted { products(first: 1) { totalCount } }";

/** Apollo's persisted query manifest, as `generate-persisted-query-manifest` writes it. */
const apolloManifest = (operations: { id: string; name: string; body: string }[]) =>
  JSON.stringify({ format: "apollo-persisted-query-manifest", version: 1, operations: operations.map((op) => ({ ...op, type: "query" })) });

type Body = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };

/** A POST with any body, as persisted-query clients send it (often without `query`). */
async function postBody(url: string, body: Record<string, unknown>): Promise<{ status: number; body: Body }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Body };
}

const byHash = (sha256Hash: string, variables?: Record<string, unknown>) => ({
  variables,
  extensions: { persistedQuery: { version: 1, sha256Hash } },
});

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

describe("persisted operations", () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let dir: string;
  let supergraphPath: string;
  const sku = `PERSISTED-${Date.now()}`;
  const routers: RunningHttpServer[] = [];

  async function startRouter(env: Record<string, string>): Promise<RunningHttpServer> {
    const settings = readRouterSettings({ NODE_ENV: "test", SUPERGRAPH_PATH: supergraphPath, ...env });
    const router = await createRouter({ settings, logger: silentLogger() }).listen(0);
    routers.push(router);
    return router;
  }

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
    await catalog.prisma.product.create({ data: { sku, name: "Persisted", priceAmount: 100, priceCurrency: "EUR" } });
    dir = mkdtempSync(path.join(tmpdir(), "router-persisted-"));
    supergraphPath = path.join(dir, "supergraph.graphql");
    const sdl = parse(readFileSync(path.join(repoRoot, "subgraphs/catalog/schema.graphql"), "utf8"));
    const composed = composeServices([{ name: "catalog", url: catalog.url, typeDefs: sdl }]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join("\n"));
    writeFileSync(supergraphPath, composed.supergraphSdl);
  });
  after(async () => {
    for (const router of routers) await router.close();
    await catalog?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe("by default (APQ on, no manifest)", () => {
    let router: RunningHttpServer;
    before(async () => {
      router = await startRouter({});
    });

    it("registers a query by its hash (APQ) through the gateway, after answering PERSISTED_QUERY_NOT_FOUND for the unknown hash", async () => {
      const query = `query Apq { product(sku: "${sku}") { name sku } }`;
      const unknown = await postBody(router.url, byHash(sha256(query)));
      assert.equal(unknown.body.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_NOT_FOUND");
      const registered = await postBody(router.url, { query, ...byHash(sha256(query)) });
      assert.deepEqual(registered.body, { data: { product: { name: "Persisted", sku } } });
      const byHashAlone = await postBody(router.url, byHash(sha256(query)));
      assert.deepEqual(byHashAlone.body, { data: { product: { name: "Persisted", sku } } });
    });
  });

  describe("in prefer mode, with Apollo's manifest", () => {
    let router: RunningHttpServer;
    let manifestPath: string;

    before(async () => {
      manifestPath = path.join(mkdtempSync(path.join(dir, "prefer-")), "persisted-query-manifest.json");
      writeFileSync(
        manifestPath,
        apolloManifest([
          { id: sha256(PRODUCT), name: "ProductBySku", body: PRODUCT },
          { id: "categories-v1", name: "Categories", body: CATEGORIES },
        ]),
      );
      router = await startRouter({ PERSISTED_OPERATIONS_MODE: "prefer", PERSISTED_OPERATIONS_PATH: manifestPath });
    });

    it("runs a manifest operation sent only by its id: extensions.persistedQuery.sha256Hash (Apollo Client) or a sha256:-prefixed documentId", async () => {
      const { status, body } = await postBody(router.url, byHash(sha256(PRODUCT), { sku }));
      assert.equal(status, 200);
      assert.deepEqual(body, { data: { product: { name: "Persisted" } } });
      // The GraphQL-over-HTTP proposal's prefixed form names the same operation.
      const prefixed = await postBody(router.url, { documentId: `sha256:${sha256(PRODUCT)}`, variables: { sku } });
      assert.deepEqual(prefixed.body, { data: { product: { name: "Persisted" } } });
    });

    it("runs a manifest operation whose id is not a hash, sent as documentId", async () => {
      const { body } = await postBody(router.url, { documentId: "categories-v1" });
      assert.deepEqual(body.errors, undefined);
      assert.ok(Array.isArray(body.data?.categories));
    });

    it("still runs an operation that is not in the manifest", async () => {
      const { status, body } = await graphqlRequest(router.url, NOT_LISTED);
      assert.equal(status, 200);
      assert.deepEqual(body.errors, undefined);
    });

    it("answers PERSISTED_QUERY_NOT_FOUND for a documentId that no list knows", async () => {
      const { body } = await postBody(router.url, { documentId: `sha256:${sha256("{ nothing }")}` });
      assert.equal(body.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_NOT_FOUND");
    });

    it("reads the manifest again when its file changes, and keeps the previous one when the new file is broken", async () => {
      const added = "query Added { categories { name } }";
      writeFileSync(
        manifestPath,
        apolloManifest([
          { id: sha256(PRODUCT), name: "ProductBySku", body: PRODUCT },
          { id: "added-v1", name: "Added", body: added },
        ]),
      );
      const served = await eventually(
        () => postBody(router.url, { documentId: "added-v1" }),
        (answer) => answer.body.errors === undefined,
      );
      assert.ok(Array.isArray(served.body.data?.categories), JSON.stringify(served.body));

      writeFileSync(manifestPath, "{ not json");
      // A broken file is logged and ignored: give the watcher time to see it, then the previous list still serves.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const still = await postBody(router.url, { documentId: "added-v1" });
      assert.deepEqual(still.body.errors, undefined);
    });
  });

  describe("in safelist mode, with GraphQL Code Generator's persisted-documents.json", () => {
    let router: RunningHttpServer;

    before(async () => {
      const manifestPath = path.join(mkdtempSync(path.join(dir, "safelist-")), "persisted-documents.json");
      writeFileSync(manifestPath, JSON.stringify({ [sha256(PRODUCT)]: PRODUCT, [sha256(CATEGORIES)]: CATEGORIES }));
      router = await startRouter({ PERSISTED_OPERATIONS_MODE: "safelist", PERSISTED_OPERATIONS_PATH: manifestPath });
    });

    it("runs a listed operation by documentId, in a POST body and in a GET query string", async () => {
      const posted = await postBody(router.url, { documentId: sha256(PRODUCT), variables: { sku } });
      assert.deepEqual(posted.body, { data: { product: { name: "Persisted" } } });
      const url = new URL(router.url);
      url.searchParams.set("documentId", sha256(PRODUCT));
      url.searchParams.set("variables", JSON.stringify({ sku }));
      const got = await fetch(url, { headers: { "apollo-require-preflight": "true" } });
      assert.equal(got.status, 200);
      assert.deepEqual(await got.json(), { data: { product: { name: "Persisted" } } });
    });

    it("runs a listed operation sent with its text, whitespace, commas and comments aside", async () => {
      const reformatted = `# the product page\nquery ProductBySku($sku: String!) {\n  product(sku: $sku) {\n    name,\n  }\n}\n`;
      const { status, body } = await graphqlRequest(router.url, reformatted, { sku });
      assert.equal(status, 200);
      assert.deepEqual(body, { data: { product: { name: "Persisted" } } });
    });

    it("refuses any other operation with 400 PERSISTED_QUERY_NOT_IN_LIST, before any subgraph is called", async () => {
      const counted = await catalog.database.countQueries(() => graphqlRequest(router.url, NOT_LISTED));
      const { status, body } = counted.result;
      assert.equal(status, 400);
      assert.equal(body.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_NOT_IN_LIST");
      assert.equal(body.data, undefined);
      assert.equal(counted.count, 0, "the catalog ran no statement");
    });

    it("does not let APQ register an operation that is not listed", async () => {
      const registering = await postBody(router.url, { query: NOT_LISTED, ...byHash(sha256(NOT_LISTED)) });
      assert.equal(registering.body.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_NOT_IN_LIST");
      const byHashAlone = await postBody(router.url, byHash(sha256(NOT_LISTED)));
      assert.equal(byHashAlone.body.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_NOT_FOUND");
    });

    it("still answers { __typename } and introspection, and stays ready", async () => {
      const typename = await graphqlRequest(router.url, "{ __typename }");
      assert.deepEqual(typename.body, { data: { __typename: "Query" } });
      const introspection = await graphqlRequest(router.url, getIntrospectionQuery());
      assert.deepEqual(introspection.body.errors, undefined);
      const ready = await fetch(new URL("/ready", router.url));
      assert.equal(ready.status, 200);
    });

    it("does not let a listed-looking operation smuggle other root fields through a fragment", async () => {
      const { body } = await graphqlRequest(
        router.url,
        "query { __typename ...More } fragment More on Query { products(first: 1) { totalCount } }",
      );
      assert.equal(body.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_NOT_IN_LIST");
    });
  });

  describe("with APQ off", () => {
    let router: RunningHttpServer;
    before(async () => {
      router = await startRouter({ APQ_ENABLED: "false" });
    });

    it("does not remember queries by hash: Apollo answers PERSISTED_QUERY_NOT_SUPPORTED", async () => {
      const { body } = await postBody(router.url, byHash(sha256(CATEGORIES)));
      assert.equal(body.errors?.[0]?.extensions?.code, "PERSISTED_QUERY_NOT_SUPPORTED");
    });
  });

  it("refuses to start in prefer or safelist mode without a manifest, or with a file that is missing or not one", () => {
    assert.throws(
      () =>
        createRouter({ settings: readRouterSettings({ NODE_ENV: "test", PERSISTED_OPERATIONS_MODE: "safelist" }), logger: silentLogger() }),
      /PERSISTED_OPERATIONS_PATH/,
    );
    const broken = path.join(dir, "broken-manifest.json");
    writeFileSync(
      broken,
      JSON.stringify({ format: "apollo-persisted-query-manifest", version: 1, operations: [{ id: "x", body: "query {" }] }),
    );
    const settings = readRouterSettings({ NODE_ENV: "test", PERSISTED_OPERATIONS_MODE: "prefer", PERSISTED_OPERATIONS_PATH: broken });
    assert.throws(() => createRouter({ settings, logger: silentLogger() }), /operation "x" is not a GraphQL document/);
    const missing = readRouterSettings({
      NODE_ENV: "test",
      PERSISTED_OPERATIONS_MODE: "prefer",
      PERSISTED_OPERATIONS_PATH: path.join(dir, "absent.json"),
    });
    assert.throws(() => createRouter({ settings: missing, logger: silentLogger() }), /absent\.json cannot be read/);
  });
});

describe("persisted operations manifest", () => {
  it("reads Apollo's persisted query manifest and GraphQL Code Generator's persisted-documents.json alike", () => {
    const apollo = parseManifest(apolloManifest([{ id: "a1", name: "Categories", body: CATEGORIES }]));
    const codegen = parseManifest(JSON.stringify({ [sha256(CATEGORIES)]: CATEGORIES }));
    assert.deepEqual([...apollo.byId], [["a1", CATEGORIES]]);
    assert.deepEqual([...codegen.byId], [[sha256(CATEGORIES), CATEGORIES]]);
    assert.deepEqual([...apollo.bodies], ["query Categories{categories{slug}}"]);
  });

  it("refuses a file that is neither format, or whose operation is not GraphQL, naming what is wrong", () => {
    assert.throws(
      () => parseManifest("[]", "m.json"),
      (error) => error instanceof InvalidManifestError && /m\.json is neither/.test(error.message),
    );
    assert.throws(
      () => parseManifest(JSON.stringify({ format: "apollo-persisted-query-manifest", version: 2, operations: [] })),
      /version 1/,
    );
    assert.throws(() => parseManifest(JSON.stringify({ abc: 42 })), /"abc" is not a string/);
    assert.throws(() => parseManifest(JSON.stringify({ abc: "query {" })), /"abc" is not a GraphQL document/);
  });
});
