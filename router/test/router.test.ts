import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import type { RunningHttpServer } from "@storefront/service";
import { silentLogger } from "@storefront/service";
import { graphqlRequest, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { parse } from "graphql";
import { createRouter, readRouterSettings } from "../src/index.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const catalogSdl = readFileSync(path.join(repoRoot, "subgraphs/catalog/schema.graphql"), "utf8");

/** A supergraph of the catalog alone, optionally with an extra Query field. */
function catalogOnlySupergraph(url: string, extraQueryField = ""): string {
  const sdl = extraQueryField ? catalogSdl.replace("type Query {", `type Query {\n  ${extraQueryField}`) : catalogSdl;
  const result = composeServices([{ name: "catalog", url, typeDefs: parse(sdl) }]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.supergraphSdl;
}

describe("router", () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let router: RunningHttpServer;
  let dir: string;
  let supergraphPath: string;
  const base = () => router.url.replace(/\/graphql$/, "");

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
    await catalog.prisma.product.create({ data: { sku: "ROUTER-1", name: "Routed", priceAmount: 100, priceCurrency: "EUR" } });
    dir = mkdtempSync(path.join(tmpdir(), "router-test-"));
    supergraphPath = path.join(dir, "supergraph.graphql");
    writeFileSync(supergraphPath, catalogOnlySupergraph("http://127.0.0.1:1/unused"));
    const settings = readRouterSettings({
      NODE_ENV: "test",
      SUPERGRAPH_PATH: supergraphPath,
      CATALOG_URL: catalog.url,
      MAX_BODY_BYTES: "10000",
      READINESS_PROBE_TIMEOUT_MS: "500",
    });
    router = await createRouter({ settings, logger: silentLogger() }).listen(0);
  });
  after(async () => {
    await router?.close();
    await catalog?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("routes a query to the subgraph named in the supergraph, at the URL configured for it", async () => {
    const { status, body, headers } = await graphqlRequest<{ product: { name: string } }>(
      router.url,
      '{ product(sku: "ROUTER-1") { name } }',
    );
    assert.equal(status, 200);
    assert.deepEqual(body, { data: { product: { name: "Routed" } } });
    assert.ok(headers.get("x-request-id"), "every response carries a request id");
  });

  it("keeps a request id the client sent", async () => {
    const { headers } = await graphqlRequest(router.url, "{ __typename }", undefined, { "x-request-id": "client-chosen-id-1" });
    assert.equal(headers.get("x-request-id"), "client-chosen-id-1");
  });

  it("reports /health up and /ready with a check per subgraph", async () => {
    const health = await fetch(`${base()}/health`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${base()}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ready", checks: { supergraph: { ok: true }, catalog: { ok: true } } });
  });

  it("answers 413 for a body over the limit and 400 for one that is not JSON, with a GraphQL error body", async () => {
    const big = await fetch(router.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ __typename } #${"x".repeat(20_000)}` }),
    });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code, "BAD_REQUEST");
    const broken = await fetch(router.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{ not json" });
    assert.equal(broken.status, 400);
    assert.equal(((await broken.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code, "BAD_REQUEST");
  });

  it("reads a body sent in chunks, and stops reading one that grows past the limit without taking the router down", async () => {
    /** POSTs `chunks` with chunked transfer encoding (no Content-Length): the status, or the error when the router hung up. */
    const postChunked = (chunks: readonly string[]) =>
      new Promise<{ status?: number; body?: string; error?: string }>((resolve) => {
        const request = http.request(router.url, { method: "POST", headers: { "content-type": "application/json" } }, (response) => {
          let body = "";
          response.setEncoding("utf8");
          response.on("data", (part: string) => {
            body += part;
          });
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        });
        request.on("error", (error) => resolve({ error: error.message }));
        for (const chunk of chunks) request.write(chunk);
        request.end();
      });
    const query = JSON.stringify({ query: '{ product(sku: "ROUTER-1") { name } }' });
    const inThree = await postChunked([query.slice(0, 10), query.slice(10, 20), query.slice(20)]);
    assert.equal(inThree.status, 200);
    assert.deepEqual(JSON.parse(inThree.body ?? ""), { data: { product: { name: "Routed" } } });

    const tooBig = await postChunked([`{"query":"{ __typename } #`, ...Array.from({ length: 20 }, () => "x".repeat(1_000)), `"}`]);
    assert.notEqual(tooBig.status, 200, "a body over MAX_BODY_BYTES is never run");
    if (tooBig.status !== undefined) assert.equal(tooBig.status, 413);
    const after = await graphqlRequest(router.url, "{ __typename }");
    assert.equal(after.status, 200, "the router serves the next request");
  });

  it("reloads a changed supergraph file without dropping requests in flight", async () => {
    let stop = false;
    const outcomes: number[] = [];
    const load = (async () => {
      while (!stop) {
        const { status, body } = await graphqlRequest(router.url, '{ product(sku: "ROUTER-1") { name } }');
        outcomes.push(status === 200 && !body.errors ? 1 : 0);
      }
    })();
    writeFileSync(
      supergraphPath,
      catalogOnlySupergraph("http://127.0.0.1:1/unused", '"A field added to prove the reload." productCount: Int'),
    );
    const deadline = Date.now() + 15_000;
    let validated = false;
    while (!validated && Date.now() < deadline) {
      const { body } = await graphqlRequest(router.url, "{ productCount }");
      // The catalog does not resolve the new field, so it comes back null; before the reload it fails validation.
      validated = !body.errors?.some((e) => e.extensions?.code === "GRAPHQL_VALIDATION_FAILED");
      if (!validated) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    stop = true;
    await load;
    assert.ok(validated, "the new field became queryable");
    assert.ok(outcomes.length > 0);
    assert.equal(outcomes.filter((ok) => ok === 0).length, 0, `every request during the reload succeeded (${outcomes.length} sent)`);
  });

  it("keeps serving the previous supergraph when the file is replaced by an invalid one", async () => {
    writeFileSync(supergraphPath, "this is not a supergraph");
    await new Promise((resolve) => setTimeout(resolve, 600));
    const { body } = await graphqlRequest(router.url, '{ product(sku: "ROUTER-1") { name } }');
    assert.deepEqual(body, { data: { product: { name: "Routed" } } });
  });

  it("reports not ready when a subgraph is unreachable", async () => {
    const lonelyPath = path.join(dir, "lonely.graphql");
    writeFileSync(lonelyPath, catalogOnlySupergraph("http://127.0.0.1:1/graphql"));
    const settings = readRouterSettings({
      NODE_ENV: "test",
      SUPERGRAPH_PATH: lonelyPath,
      CATALOG_URL: "http://127.0.0.1:1/graphql",
      READINESS_PROBE_TIMEOUT_MS: "500",
    });
    const lonely = await createRouter({ settings, logger: silentLogger() }).listen(0);
    try {
      const ready = await fetch(lonely.url.replace(/\/graphql$/, "/ready"));
      assert.equal(ready.status, 503);
      const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
      assert.equal(body.checks.catalog?.ok, false);
    } finally {
      await lonely.close();
    }
  });
});
