// The router's HTTP edge for browser apps and large answers: CORS with Apollo's CSRF prevention, and compression.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { composeServices } from "@apollo/composition";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { type RunningHttpServer, silentLogger } from "@storefront/service";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { parse } from "graphql";
import { createRouter, readRouterSettings } from "../src/index.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const LISTING = "{ products(first: 50) { edges { node { id sku name description price { amount currency } } } } }";

/** The raw bytes of an answer, undecoded, with its headers (fetch would decompress behind our back). */
function rawPost(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("the router's HTTP edge", () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let dir: string;
  const routers: RunningHttpServer[] = [];

  async function routerWith(extra: Record<string, string>): Promise<string> {
    const settings = readRouterSettings({
      NODE_ENV: "test",
      SUPERGRAPH_PATH: path.join(dir, "supergraph.graphql"),
      CATALOG_URL: catalog.url,
      ...extra,
    });
    const running = await createRouter({ settings, logger: silentLogger() }).listen(0);
    routers.push(running);
    return running.url;
  }

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
    for (let i = 0; i < 60; i++) {
      await catalog.prisma.product.create({
        data: {
          sku: `EDGE-${i}`,
          name: `Edge product ${i}`,
          description: "A product with a description long enough to matter.",
          priceAmount: 100 + i,
          priceCurrency: "EUR",
        },
      });
    }
    dir = mkdtempSync(path.join(tmpdir(), "router-edge-"));
    const sdl = readFileSync(path.join(repoRoot, "subgraphs/catalog/schema.graphql"), "utf8");
    const composed = composeServices([{ name: "catalog", url: catalog.url, typeDefs: parse(sdl) }]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join("\n"));
    writeFileSync(path.join(dir, "supergraph.graphql"), composed.supergraphSdl);
  });
  after(async () => {
    for (const router of routers) await router.close();
    await catalog?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("CORS", () => {
    let url: string;
    before(async () => {
      url = await routerWith({ CORS_ORIGINS: "https://shop.example,http://127.0.0.1:5173", CORS_MAX_AGE_SECONDS: "300" });
    });

    it("answers a preflight from an allowed origin with what a browser app needs", async () => {
      const response = await fetch(url, {
        method: "OPTIONS",
        headers: {
          origin: "https://shop.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,authorization",
        },
      });
      assert.equal(response.status, 204);
      assert.equal(response.headers.get("access-control-allow-origin"), "https://shop.example");
      assert.match(response.headers.get("access-control-allow-headers") ?? "", /authorization/);
      assert.match(response.headers.get("access-control-allow-headers") ?? "", /content-type/);
      assert.match(response.headers.get("access-control-allow-methods") ?? "", /POST/);
      assert.equal(response.headers.get("access-control-max-age"), "300");
      assert.equal(response.headers.get("access-control-allow-credentials"), null, "no cookies are involved");
    });

    it("refuses a preflight from an origin not on the list, with no CORS headers", async () => {
      const response = await fetch(url, {
        method: "OPTIONS",
        headers: {
          origin: "https://evil.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
      assert.equal(response.status, 403);
      assert.equal(response.headers.get("access-control-allow-origin"), null);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      assert.equal(body.errors[0]?.extensions.code, "FORBIDDEN");
    });

    it("lets an allowed origin read the answer and its request id, and tells caches the answer varies by origin", async () => {
      const response = await fetch(url, {
        method: "POST",
        headers: { origin: "http://127.0.0.1:5173", "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("access-control-allow-origin"), "http://127.0.0.1:5173");
      assert.match(response.headers.get("vary") ?? "", /Origin/);
      assert.match(response.headers.get("access-control-expose-headers") ?? "", /x-request-id/);
    });

    it("gives another origin's page no access to the answer", async () => {
      const response = await fetch(url, {
        method: "POST",
        headers: { origin: "https://evil.example", "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      assert.equal(response.headers.get("access-control-allow-origin"), null);
    });

    it("keeps Apollo's CSRF prevention: a simple cross-site GET without a preflight header is blocked", async () => {
      const response = await fetch(`${url}?query=${encodeURIComponent("{ __typename }")}`, { headers: { origin: "https://evil.example" } });
      assert.equal(response.status, 400);
      assert.match(await response.text(), /Cross-Site Request Forgery/);
      const allowed = await fetch(`${url}?query=${encodeURIComponent("{ __typename }")}`, {
        headers: { "apollo-require-preflight": "true" },
      });
      assert.equal(allowed.status, 200);
    });

    it("allows every origin when configured with *", async () => {
      const open = await routerWith({ CORS_ORIGINS: "*" });
      const response = await fetch(open, {
        method: "OPTIONS",
        headers: { origin: "https://anyone.example", "access-control-request-method": "POST" },
      });
      assert.equal(response.status, 204);
      assert.equal(response.headers.get("access-control-allow-origin"), "*");
    });
  });

  describe("compression", () => {
    let url: string;
    before(async () => {
      url = await routerWith({});
    });

    it("compresses a large answer with brotli or gzip, as the client accepts, into the same JSON", async () => {
      const plain = await rawPost(url, JSON.stringify({ query: LISTING }), { "accept-encoding": "identity" });
      assert.equal(plain.headers["content-encoding"], undefined);
      const expected = JSON.parse(plain.body.toString("utf8")) as { data: { products: { edges: unknown[] } } };
      assert.equal(expected.data.products.edges.length, 50);

      const br = await rawPost(url, JSON.stringify({ query: LISTING }), { "accept-encoding": "gzip, br" });
      assert.equal(br.headers["content-encoding"], "br");
      assert.ok(br.body.length * 3 < plain.body.length, `brotli shrinks ${plain.body.length} bytes (to ${br.body.length})`);
      assert.deepEqual(JSON.parse(brotliDecompressSync(br.body).toString("utf8")), expected);

      const gzip = await rawPost(url, JSON.stringify({ query: LISTING }), { "accept-encoding": "gzip" });
      assert.equal(gzip.headers["content-encoding"], "gzip");
      assert.deepEqual(JSON.parse(gunzipSync(gzip.body).toString("utf8")), expected);
      assert.match(String(gzip.headers.vary), /Accept-Encoding/i);
    });

    it("leaves a small answer as it is", async () => {
      const small = await rawPost(url, JSON.stringify({ query: "{ __typename }" }), { "accept-encoding": "gzip, br" });
      assert.equal(small.headers["content-encoding"], undefined);
      assert.deepEqual(JSON.parse(small.body.toString("utf8")), { data: { __typename: "Query" } });
    });

    it("can be switched off", async () => {
      const off = await routerWith({ COMPRESSION_MIN_BYTES: "0" });
      const answer = await rawPost(off, JSON.stringify({ query: LISTING }), { "accept-encoding": "gzip, br" });
      assert.equal(answer.headers["content-encoding"], undefined);
    });
  });
});
