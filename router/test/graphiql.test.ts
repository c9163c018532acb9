import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { type RunningHttpServer, silentLogger } from "@storefront/service";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { parse } from "graphql";
import { chromium } from "playwright-core";
import { createRouter, readRouterSettings } from "../src/index.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const chromiumPath = "/usr/bin/chromium";

function catalogOnlySupergraph(url: string): string {
  const sdl = readFileSync(path.join(repoRoot, "subgraphs/catalog/schema.graphql"), "utf8");
  const result = composeServices([{ name: "catalog", url, typeDefs: parse(sdl) }]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.supergraphSdl;
}

/** A GET with the path sent exactly as written (fetch would resolve `..` segments before sending). */
function rawGet(base: string, rawPath: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: rawPath, method: "GET" }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

/** The URLs a page names in `src` and `href` attributes. */
const urlsOf = (html: string) => [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? "");
/** The files a page loads from its server (its icon is an empty data: URL, so the browser asks for no favicon). */
const assetPathsOf = (html: string) => urlsOf(html).filter((url) => !url.startsWith("data:"));

describe("the offline GraphQL IDE (GraphiQL at /graphiql)", () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let dir: string;
  let supergraphPath: string;
  const routers: RunningHttpServer[] = [];
  const startRouter = async (env: Record<string, string>) => {
    const settings = readRouterSettings({ NODE_ENV: "test", SUPERGRAPH_PATH: supergraphPath, CATALOG_URL: catalog.url, ...env });
    const router = await createRouter({ settings, logger: silentLogger() }).listen(0);
    routers.push(router);
    return router.url.replace(/\/graphql$/, "");
  };
  let base: string;

  before(async () => {
    catalog = await startTestSubgraph(catalogSubgraph);
    await catalog.prisma.product.create({ data: { sku: "GRAPHIQL-1", name: "Offline Lamp", priceAmount: 4_200, priceCurrency: "EUR" } });
    dir = mkdtempSync(path.join(tmpdir(), "router-graphiql-"));
    supergraphPath = path.join(dir, "supergraph.graphql");
    writeFileSync(supergraphPath, catalogOnlySupergraph("http://127.0.0.1:1/unused"));
    base = await startRouter({});
  });
  after(async () => {
    await Promise.all(routers.map((router) => router.close()));
    await catalog?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves its page and every file the page names from the router, with content types and cache headers", async () => {
    const page = await fetch(`${base}/graphiql`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(page.headers.get("cache-control"), "no-cache");
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'; script-src 'self'/);
    const html = await page.text();
    assert.deepEqual(
      urlsOf(html).filter((url) => !url.startsWith("/graphiql/assets/")),
      ["data:,"],
      "every file from the router itself, none from another host",
    );
    const assets = assetPathsOf(html);
    assert.deepEqual(
      assets.map((asset) => asset.replace(/\.[\w-]{16}\./, ".#.")),
      [
        "/graphiql/assets/graphiql.min.#.css",
        "/graphiql/assets/react.production.min.#.js",
        "/graphiql/assets/react-dom.production.min.#.js",
        "/graphiql/assets/graphiql.min.#.js",
        "/graphiql/assets/start.#.js",
      ],
    );
    for (const asset of assets) {
      const response = await fetch(`${base}${asset}`);
      assert.equal(response.status, 200, asset);
      assert.equal(
        response.headers.get("content-type"),
        asset.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8",
      );
      assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.ok((await response.arrayBuffer()).byteLength > 0);
      const etag = response.headers.get("etag");
      assert.ok(etag);
      assert.equal((await fetch(`${base}${asset}`, { headers: { "if-none-match": etag } })).status, 304, `${asset} revalidates`);
    }
  });

  it("answers 404 for every other path under /graphiql, however it climbs out of the directory", async () => {
    const html = await (await fetch(`${base}/graphiql`)).text();
    const script = assetPathsOf(html).find((asset) => asset.includes("/react.production.min."));
    assert.ok(script);
    for (const probe of [
      "/graphiql/assets/react.production.min.js",
      `${script}x`,
      "/graphiql/assets/../../package.json",
      "/graphiql/assets/%2e%2e/%2e%2e/package.json",
      "/graphiql/assets/..%2f..%2fpackage.json",
      "/graphiql/assets/%2fetc%2fpasswd",
      "/graphiql/node_modules/react/package.json",
      "/graphiql/assets/",
    ]) {
      assert.equal(await rawGet(base, probe), 404, probe);
    }
  });

  it("refuses methods other than GET and HEAD", async () => {
    const post = await fetch(`${base}/graphiql`, { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    const head = await fetch(`${base}/graphiql`, { method: "HEAD" });
    assert.equal(head.status, 200);
  });

  it("is off with NODE_ENV=production unless GRAPHIQL_ENABLED=true, and can be turned off in development", async () => {
    const production = await startRouter({ NODE_ENV: "production" });
    assert.equal((await fetch(`${production}/graphiql`)).status, 404);
    const enabled = await startRouter({ NODE_ENV: "production", GRAPHIQL_ENABLED: "true" });
    assert.equal((await fetch(`${enabled}/graphiql`)).status, 200);
    const disabled = await startRouter({ GRAPHIQL_ENABLED: "false" });
    assert.equal((await fetch(`${disabled}/graphiql`)).status, 404);
  });

  it("runs its catalog query in a real browser, every request of the page going to the router alone", {
    skip: existsSync(chromiumPath) ? false : `no Chromium at ${chromiumPath} (apt-get install chromium)`,
    timeout: 120_000,
  }, async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    });
    try {
      const context = await browser.newContext();
      const requested: string[] = [];
      context.on("request", (req) => requested.push(req.url()));
      const problems: string[] = [];
      const page = await context.newPage();
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });

      await page.goto(`${base}/graphiql`);
      await page.locator(".graphiql-query-editor .CodeMirror").waitFor({ timeout: 30_000 });
      await page.locator(".graphiql-execute-button").click();
      const response = page.locator(".graphiql-response .CodeMirror");
      await response.getByText("Offline Lamp").waitFor({ timeout: 30_000 });
      const answer = (await response.textContent()) ?? "";

      assert.match(answer, /"sku": "GRAPHIQL-1"/);
      assert.match(answer, /"totalCount": 1/);
      assert.deepEqual(problems, [], requested.join("\n"));
      const origin = new URL(base).origin;
      assert.ok(
        requested.some((url) => url === `${origin}/graphql`),
        "queries went to the router's /graphql",
      );
      assert.deepEqual(
        requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith("data:")),
        [],
        "no request to any other host",
      );
    } finally {
      await browser.close();
    }
  });
});
