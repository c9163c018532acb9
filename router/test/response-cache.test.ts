// The router's response cache on real components: the catalog and inventory subgraphs as the runtime runs them (real
// database, outbox relay, consumer group), an event bus (in-process, and Kafka when KAFKA_BROKERS is set), and a proxy in
// front of the catalog that counts what reaches it. The bus the router listens on is gated, so a test can hold an event
// back and see the cached answer outlive the change, then deliver it and see the answer change.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { composeServices } from "@apollo/composition";
import { createAccessTokenVerifier } from "@storefront/auth";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { createTestDatabase, type DatabaseConfig } from "@storefront/db";
import {
  CATALOG_TOPIC,
  createEvent,
  createInProcessBus,
  createKafkaBus,
  type EventBus,
  type IncomingMessage,
  serializeEvent,
} from "@storefront/events";
import { type InventoryPrisma, inventorySubgraph } from "@storefront/inventory";
import { type RunningSubgraph, startSubgraph } from "@storefront/runtime";
import { type RunningHttpServer, silentLogger } from "@storefront/service";
import { metricsText, sampleValue } from "@storefront/telemetry";
import { parse } from "graphql";
import { createRouter, readRouterSettings } from "../src/index.ts";
import { newSigningKey, signToken, startJwksServer, type TestJwksServer, type TestSigningKey } from "./support/keys.ts";
import { post } from "./support/router.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const sdl = (name: string) => parse(readFileSync(path.join(repoRoot, "subgraphs", name, "schema.graphql"), "utf8"));
const needsKafka = process.env.KAFKA_BROKERS ? false : "needs a Kafka broker (KAFKA_BROKERS)";

const PRICES = `query Prices($categoryId: ID!) {
  products(first: 10, filter: { categoryId: $categoryId }) { edges { node { id name price { amount currency } } } }
}`;
const STOCK = `query Stock($categoryId: ID!) {
  products(first: 10, filter: { categoryId: $categoryId }) { edges { node { id name inStock inventory { available } } } }
}`;
const IN_STOCK = `query InStock($categoryId: ID!) {
  products(first: 10, filter: { categoryId: $categoryId, inStock: true }) { edges { node { id inStock } } }
}`;
const UPDATE_PRODUCT = `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id price { amount } } }`;
const ADJUST_STOCK = `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { product { inventory { available } } } }`;

type Node = { id: string; name?: string; price?: { amount: number }; inStock?: boolean | null; inventory?: { available: number } | null };
type Listing = { products: { edges: { node: Node }[] } };

/** A proxy in front of a subgraph that passes requests and answers (with their Cache-Control) on, counting them. */
async function startCountingProxy(upstreamUrl: string) {
  let received = 0;
  let lastCacheControl: string | null = null;
  const server = createServer(async (req, res) => {
    received += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = { "content-type": "application/json" };
    for (const name of ["authorization", "x-request-id", "x-forwarded-for", "traceparent"]) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const upstream = await fetch(upstreamUrl, { method: "POST", headers, body: Buffer.concat(chunks) });
    lastCacheControl = upstream.headers.get("cache-control");
    res.writeHead(upstream.status, {
      "content-type": upstream.headers.get("content-type") ?? "application/json",
      ...(lastCacheControl ? { "cache-control": lastCacheControl } : {}),
    });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    get received() {
      return received;
    },
    get lastCacheControl() {
      return lastCacheControl;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The router's view of a real bus with a gate in front of its handler: while held, messages for the router wait (in
 * order, as a slow consumer's would); `seen` and `delivered` list the event types that reached the gate and passed it.
 */
function gatedBus(bus: EventBus) {
  let release: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  const seen: string[] = [];
  const delivered: string[] = [];
  const deliveredIds = new Set<string>();
  const envelopeOf = (message: IncomingMessage) => JSON.parse(message.value) as { id?: unknown; type?: unknown };
  const routerBus: EventBus = {
    ...bus,
    // the test closes the bus itself, after every router
    close: async () => {},
    subscribe: (options) =>
      bus.subscribe({
        ...options,
        handle: async (message) => {
          const { id, type } = envelopeOf(message);
          seen.push(String(type));
          await gate;
          await options.handle(message);
          delivered.push(String(type));
          deliveredIds.add(String(id));
        },
      }),
  };
  return {
    bus: routerBus,
    seen,
    delivered,
    deliveredIds,
    hold(): void {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => release(),
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`not within ${ms} ms: ${what}`);
}

/** A throw-away database for a subgraph: a migrated PostgreSQL clone with TEST_POSTGRES_URL, in-memory PGlite otherwise. */
async function aTestDatabase(subgraph: string): Promise<{ config: DatabaseConfig; drop(): Promise<void> }> {
  if (!process.env.TEST_POSTGRES_URL) return { config: { kind: "pglite", dataDir: "memory://" }, drop: async () => {} };
  const database = await createTestDatabase(subgraph);
  await database.close(); // the subgraph opens its own connections
  if (!database.url) throw new Error("a PostgreSQL test database has a URL");
  const url = database.url;
  return { config: { kind: "postgres", url }, drop: () => database.drop() };
}

/** Catalog and inventory on `bus`, the counting proxy in front of the catalog, a router over both listening on the gate. */
async function startShop(bus: EventBus) {
  const closers: Array<() => Promise<void>> = [];
  const key: TestSigningKey = await newSigningKey();
  const jwks: TestJwksServer = await startJwksServer([key]);
  closers.push(() => jwks.close());
  const [catalogDb, inventoryDb] = await Promise.all([aTestDatabase("catalog"), aTestDatabase("inventory")]);
  closers.push(catalogDb.drop, inventoryDb.drop);
  const verifyAccessToken = createAccessTokenVerifier({ jwks: jwks.url });
  const common = { bus, logger: silentLogger(), production: false, port: 0, migrate: true, verifyAccessToken } as const;
  const catalog: RunningSubgraph<CatalogPrisma> = await startSubgraph(catalogSubgraph, {
    ...common,
    database: catalogDb.config,
    subgraphUrls: {},
  });
  closers.push(() => catalog.close());
  const inventory: RunningSubgraph<InventoryPrisma> = await startSubgraph(inventorySubgraph, {
    ...common,
    database: inventoryDb.config,
    subgraphUrls: { catalog: catalog.url },
  });
  closers.push(() => inventory.close());
  const catalogProxy = await startCountingProxy(catalog.url);
  closers.push(() => catalogProxy.close());

  const composed = composeServices([
    { name: "catalog", url: catalog.url, typeDefs: sdl("catalog") },
    { name: "inventory", url: inventory.url, typeDefs: sdl("inventory") },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join("\n"));
  const dir = mkdtempSync(path.join(tmpdir(), "response-cache-"));
  closers.push(async () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "supergraph.graphql"), composed.supergraphSdl);
  const gate = gatedBus(bus);

  const routers: RunningHttpServer[] = [];
  /** A router over both subgraphs, the catalog through the proxy, with `env` on top of test settings. */
  async function startRouter(env: Record<string, string> = {}): Promise<RunningHttpServer> {
    const settings = readRouterSettings({
      NODE_ENV: "test",
      SUPERGRAPH_PATH: path.join(dir, "supergraph.graphql"),
      JWKS_URL: jwks.url.href,
      CATALOG_URL: catalogProxy.url,
      INVENTORY_URL: inventory.url,
      ...env,
    });
    const router = await createRouter({ settings, logger: silentLogger(), bus: gate.bus }).listen(0);
    routers.push(router);
    return router;
  }
  const router = await startRouter();

  /** A category with one product, written straight to the databases (no events), with `onHand` units in stock. */
  async function aProductInStock(onHand: number, priceAmount = 2_500) {
    const category = await catalog.prisma.category.create({ data: { slug: `cache-${randomUUID().slice(0, 8)}`, name: "Cached" } });
    const product = await catalog.prisma.product.create({
      data: { sku: `CACHE-${randomUUID().slice(0, 8)}`, name: "Cached kettle", priceAmount, priceCurrency: "EUR", categoryId: category.id },
    });
    if (onHand > 0) {
      await inventory.prisma.stockLevel.create({ data: { productId: product.id, onHand, reserved: 0 } });
      await catalog.prisma.productAvailability.create({
        data: { productId: product.id, inStock: true, version: 0n, changedAt: new Date() },
      });
    }
    return { categoryId: category.id, productId: product.id };
  }

  /** Waits until every event the subgraphs have written so far has reached the router, so none empties the cache mid-test. */
  async function settled(): Promise<void> {
    await until("every event written so far reaches the router", async () => {
      const written = [
        ...(await catalog.prisma.outboxEvent.findMany({ select: { id: true } })),
        ...(await inventory.prisma.outboxEvent.findMany({ select: { id: true } })),
      ];
      return written.every(({ id }) => gate.deliveredIds.has(id));
    });
  }

  return {
    catalog,
    inventory,
    catalogProxy,
    settled,
    gate,
    router,
    startRouter,
    aProductInStock,
    /** Writes the supergraph again with a new description on Query: every router loads it as a new schema. */
    touchSupergraph() {
      const file = path.join(dir, "supergraph.graphql");
      const sdl = readFileSync(file, "utf8").replace(/^"touched [0-9]+"\n/m, "");
      writeFileSync(file, sdl.replace(/^type Query\b/m, `"touched ${Date.now()}"\ntype Query`));
    },
    adminToken: () => signToken(key, { role: "ADMIN" }),
    customerToken: () => signToken(key, { role: "CUSTOMER" }),
    async close() {
      for (const running of routers) await running.close();
      for (const close of closers.reverse()) await close();
    },
  };
}

type Shop = Awaited<ReturnType<typeof startShop>>;

async function anonymously(url: string, query: string, variables: Record<string, unknown>) {
  const response = await post<Listing>(url, query, { variables });
  assert.equal(response.status, 200);
  assert.deepEqual(response.body.errors, undefined);
  assert.ok(response.body.data);
  return { headers: response.headers, listing: response.body.data, nodes: response.body.data.products.edges.map((edge) => edge.node) };
}

/** POSTs `body` as JSON with `headers` and returns the answer's headers and its body as sent, not decoded. */
function rawPost(url: string, body: string, headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ headers: response.headers, bytes: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
}

async function asAdmin<Data>(shop: Shop, query: string, variables: Record<string, unknown>): Promise<Data> {
  const response = await post<Data>(shop.router.url, query, { variables, token: await shop.adminToken() });
  assert.deepEqual(response.body.errors, undefined);
  assert.ok(response.body.data);
  return response.body.data;
}

/** How many times the router's response cache was emptied for `event`, from /metrics. */
async function invalidations(event: string): Promise<number> {
  return sampleValue(await metricsText(), "router_response_cache_invalidations_total", { event }) ?? 0;
}

/**
 * A price change, end to end: cached, changed by an admin while the event is held back (the old price is still
 * served), then delivered (the next read has the new price).
 */
async function priceChangeEvictsTheListing(shop: Shop): Promise<void> {
  await shop.settled();
  const { categoryId, productId } = await shop.aProductInStock(0, 2_500);
  const first = await anonymously(shop.router.url, PRICES, { categoryId });
  const calls = shop.catalogProxy.received;
  const again = await anonymously(shop.router.url, PRICES, { categoryId });
  assert.equal(shop.catalogProxy.received, calls, "the second read comes from the cache");
  assert.deepEqual(again.listing, first.listing);

  shop.gate.hold();
  const before = await invalidations("catalog.product_changed.v1");
  const seen = shop.gate.seen.length;
  try {
    await asAdmin(shop, UPDATE_PRODUCT, { id: productId, input: { price: { amount: 1_999, currency: "EUR" } } });
    await until("catalog.product_changed.v1 reaches the router", () => shop.gate.seen.slice(seen).includes("catalog.product_changed.v1"));
    const stale = await anonymously(shop.router.url, PRICES, { categoryId });
    assert.equal(stale.nodes[0]?.price?.amount, 2_500, "without the event, the cached listing still has the old price");
    assert.ok(stale.headers.get("age") !== null, "served from the cache");
  } finally {
    shop.gate.release();
  }
  await until("the router handles the event", async () => (await invalidations("catalog.product_changed.v1")) > before);
  const callsBefore = shop.catalogProxy.received;
  const fresh = await anonymously(shop.router.url, PRICES, { categoryId });
  assert.equal(fresh.nodes[0]?.price?.amount, 1_999, "the next anonymous read has the new price");
  assert.equal(fresh.headers.get("age"), null);
  assert.equal(shop.catalogProxy.received, callsBefore + 1, "asked the catalog again");
}

describe("the router's response cache, on the in-process bus", { timeout: 180_000 }, () => {
  let bus: EventBus;
  let shop: Shop;

  before(async () => {
    bus = createInProcessBus();
    shop = await startShop(bus);
  });
  after(async () => {
    await shop?.close();
    await bus?.close();
  });

  it("answers a second identical anonymous query from the cache: the catalog gets one call, both answers say public, max-age=30 (stock's hint), the second with an Age", async () => {
    await shop.settled();
    const { categoryId } = await shop.aProductInStock(3);
    const calls = shop.catalogProxy.received;
    const first = await anonymously(shop.router.url, STOCK, { categoryId });
    const second = await anonymously(shop.router.url, STOCK, { categoryId });
    assert.equal(shop.catalogProxy.received, calls + 1);
    assert.deepEqual(second.listing, first.listing);
    assert.equal(first.nodes[0]?.inventory?.available, 3);
    assert.equal(first.headers.get("cache-control"), "public, max-age=30");
    assert.equal(second.headers.get("cache-control"), "public, max-age=30");
    assert.equal(first.headers.get("age"), null);
    assert.match(second.headers.get("age") ?? "", /^[0-9]+$/);
    // catalog data alone: the catalog's 60 s
    assert.equal((await anonymously(shop.router.url, PRICES, { categoryId })).headers.get("cache-control"), "public, max-age=60");
  });

  it("keeps answers that depend on the schema alone ({ __typename }) for 60 s, and counts a hit under its operation, as the answer it repeats", async () => {
    const query = "query Ping { __typename }";
    const hitsBefore = sampleValue(await metricsText(), "router_response_cache_requests_total", { result: "hit" }) ?? 0;
    const pings = { service: "router", operation: "Ping", outcome: "ok", status: "200" };
    const pingsBefore = sampleValue(await metricsText(), "graphql_requests_total", pings) ?? 0;
    const calls = shop.catalogProxy.received;
    const answers = [await post(shop.router.url, query), await post(shop.router.url, query)];
    for (const answer of answers) {
      assert.deepEqual(answer.body, { data: { __typename: "Query" } });
      assert.equal(answer.headers.get("cache-control"), "public, max-age=60");
    }
    assert.equal(answers[0]?.headers.get("age"), null);
    assert.match(answers[1]?.headers.get("age") ?? "", /^[0-9]+$/);
    assert.equal(shop.catalogProxy.received, calls, "no subgraph is asked");
    const metrics = await metricsText();
    assert.equal(sampleValue(metrics, "router_response_cache_requests_total", { result: "hit" }), hitsBefore + 1);
    assert.equal(sampleValue(metrics, "graphql_requests_total", pings), pingsBefore + 2);
    // anything beyond the schema makes it a subgraph's answer, as cacheable as the subgraph says
    const mixed = await post(shop.router.url, "{ __typename categories { id } }");
    assert.equal(mixed.headers.get("cache-control"), "public, max-age=60");
    assert.equal(shop.catalogProxy.received, calls + 1);
  });

  it("keeps one answer per Accept header: each is the one Apollo gives to that header, with its content type", async () => {
    await shop.settled();
    const { categoryId } = await shop.aProductInStock(1);
    const ask = (accept: string) =>
      fetch(shop.router.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept },
        body: JSON.stringify({ query: STOCK, variables: { categoryId } }),
      });
    const calls = shop.catalogProxy.received;
    const graphqlResponse = "application/graphql-response+json";
    const answers = [await ask(graphqlResponse), await ask("application/json"), await ask(graphqlResponse), await ask("application/json")];
    assert.equal(shop.catalogProxy.received, calls + 2, "one call for each Accept header");
    assert.deepEqual(
      answers.map((answer) => [answer.headers.get("content-type")?.split(";")[0], answer.headers.get("age") !== null]),
      [
        [graphqlResponse, false],
        ["application/json", false],
        [graphqlResponse, true],
        ["application/json", true],
      ],
    );
    const bodies = await Promise.all(answers.map((answer) => answer.text()));
    assert.equal(new Set(bodies).size, 1);
  });

  it("sends a kept answer compressed as the client asks, br or gzip, byte for byte the same each time; deflate as the middleware makes it", async () => {
    const router = await shop.startRouter({ COMPRESSION_MIN_BYTES: "1" });
    await shop.settled();
    const { categoryId } = await shop.aProductInStock(2);
    const body = JSON.stringify({ query: STOCK, variables: { categoryId } });
    const calls = shop.catalogProxy.received;
    const plain = await rawPost(router.url, body, {});
    const br = await rawPost(router.url, body, { "accept-encoding": "gzip, deflate, br" });
    const brAgain = await rawPost(router.url, body, { "accept-encoding": "br;q=1, gzip;q=0.5" });
    const gzip = await rawPost(router.url, body, { "accept-encoding": "gzip" });
    const deflate = await rawPost(router.url, body, { "accept-encoding": "deflate" });
    assert.equal(shop.catalogProxy.received, calls + 1, "one call; the rest are hits");
    assert.equal(JSON.parse(plain.bytes.toString()).data.products.edges.length, 1);
    assert.deepEqual(
      [plain, br, brAgain, gzip, deflate].map((answer) => [answer.headers["content-encoding"], answer.headers.age !== undefined]),
      [
        [undefined, false],
        ["br", true],
        ["br", true],
        ["gzip", true],
        ["deflate", true],
      ],
    );
    assert.deepEqual(brAgain.bytes, br.bytes);
    assert.equal(brotliDecompressSync(br.bytes).toString(), plain.bytes.toString());
    assert.equal(gunzipSync(gzip.bytes).toString(), plain.bytes.toString());
    assert.equal(inflateSync(deflate.bytes).toString(), plain.bytes.toString());
    for (const answer of [br, gzip, deflate]) assert.match(String(answer.headers.vary), /Accept-Encoding/i);
    assert.equal(Number(br.headers["content-length"]), br.bytes.length);
  });

  it("forgets every answer when the supergraph changes: they were computed over another schema", async () => {
    await shop.settled();
    const { categoryId } = await shop.aProductInStock(1);
    await anonymously(shop.router.url, PRICES, { categoryId });
    const before = await invalidations("supergraph");
    shop.touchSupergraph();
    await until("the router loads the new supergraph", async () => (await invalidations("supergraph")) > before);
    const calls = shop.catalogProxy.received;
    const again = await anonymously(shop.router.url, PRICES, { categoryId });
    assert.equal(again.headers.get("age"), null);
    assert.equal(shop.catalogProxy.received, calls + 1, "asked the catalog again");
  });

  it("never answers a signed-in caller from the cache nor keeps its answer for others: each signed-in read reaches the catalog and is private, no-store", async () => {
    await shop.settled();
    const { categoryId } = await shop.aProductInStock(3);
    const token = await shop.customerToken();
    const calls = shop.catalogProxy.received;
    for (let i = 0; i < 2; i++) {
      const signedIn = await post<Listing>(shop.router.url, STOCK, { variables: { categoryId }, token });
      assert.deepEqual(signedIn.body.errors, undefined);
      assert.equal(signedIn.headers.get("cache-control"), "private, no-store");
    }
    assert.equal(shop.catalogProxy.received, calls + 2);
    const anonymous = await anonymously(shop.router.url, STOCK, { categoryId });
    assert.equal(shop.catalogProxy.received, calls + 3, "the signed-in answers were not kept for anonymous callers");
    assert.equal(anonymous.headers.get("age"), null);
  });

  it("never answers a mutation from the cache: the same updateProduct twice reaches the catalog twice, and although the catalog marks its answer public, the router's is private, no-store", async () => {
    const { productId } = await shop.aProductInStock(0);
    const token = await shop.adminToken();
    const calls = shop.catalogProxy.received;
    for (let i = 0; i < 2; i++) {
      const changed = await post(shop.router.url, UPDATE_PRODUCT, {
        variables: { id: productId, input: { description: "Boils water." } },
        token,
      });
      assert.deepEqual(changed.body.errors, undefined);
      assert.equal(changed.headers.get("cache-control"), "private, no-store");
      assert.equal(shop.catalogProxy.lastCacheControl, "max-age=60, public", "the catalog's own hint for a Product");
    }
    assert.equal(shop.catalogProxy.received, calls + 2);
  });

  it("empties the cache when an admin changes a price (catalog.product_changed): held back, the old price is still served; delivered, the next anonymous read has the new price", async () => {
    await priceChangeEvictsTheListing(shop);
  });

  it("empties the cache when stock changes (inventory.availability_changed): held back, the old count is still served; delivered, the next anonymous read has the new count", async () => {
    await shop.settled();
    const { categoryId, productId } = await shop.aProductInStock(5);
    const cached = await anonymously(shop.router.url, STOCK, { categoryId });
    assert.equal(cached.nodes[0]?.inventory?.available, 5);
    shop.gate.hold();
    const before = await invalidations("inventory.availability_changed.v1");
    const seen = shop.gate.seen.length;
    try {
      await asAdmin(shop, ADJUST_STOCK, { input: { productId, delta: -1, reason: "DAMAGED" } });
      await until("inventory.availability_changed.v1 reaches the router", () =>
        shop.gate.seen.slice(seen).includes("inventory.availability_changed.v1"),
      );
      const stale = await anonymously(shop.router.url, STOCK, { categoryId });
      assert.equal(stale.nodes[0]?.inventory?.available, 5, "without the event, the cached listing still has the old count");
      assert.ok(stale.headers.get("age") !== null, "served from the cache");
    } finally {
      shop.gate.release();
    }
    await until("the router handles the event", async () => (await invalidations("inventory.availability_changed.v1")) > before);
    const fresh = await anonymously(shop.router.url, STOCK, { categoryId });
    assert.equal(fresh.nodes[0]?.inventory?.available, 4);
    assert.equal(fresh.nodes[0]?.inStock, true);
  });

  it("drops a cached in-stock listing once a product sells out: after inventory's event, the catalog's own (catalog.product_changed, availability) follows, and the product leaves the listing", async () => {
    await shop.settled();
    const { categoryId, productId } = await shop.aProductInStock(1);
    const cached = await anonymously(shop.router.url, IN_STOCK, { categoryId });
    assert.deepEqual(
      cached.nodes.map((node) => node.id),
      [productId],
    );
    shop.gate.hold();
    const seen = shop.gate.seen.length;
    try {
      await asAdmin(shop, ADJUST_STOCK, { input: { productId, delta: -1, reason: "LOST" } });
      await until("inventory's event, then the catalog's, reach the router", () => {
        const types = shop.gate.seen.slice(seen);
        return types.includes("inventory.availability_changed.v1") && types.includes("catalog.product_changed.v1");
      });
      const stale = await anonymously(shop.router.url, IN_STOCK, { categoryId });
      assert.deepEqual(
        stale.nodes.map((node) => node.id),
        [productId],
        "without the events, the cached listing still has it",
      );
    } finally {
      shop.gate.release();
    }
    const delivered = shop.gate.delivered.length;
    await until("the router handles both events", () => shop.gate.delivered.length >= delivered + 2);
    const fresh = await anonymously(shop.router.url, IN_STOCK, { categoryId });
    assert.deepEqual(fresh.nodes, []);
  });

  it("with RESPONSE_CACHE_ENABLED=false asks the catalog every time, and still tells CDNs what they may keep", async () => {
    const router = await shop.startRouter({ RESPONSE_CACHE_ENABLED: "false" });
    const { categoryId } = await shop.aProductInStock(2);
    const calls = shop.catalogProxy.received;
    const first = await anonymously(router.url, STOCK, { categoryId });
    await anonymously(router.url, STOCK, { categoryId });
    assert.equal(shop.catalogProxy.received, calls + 2);
    assert.equal(first.headers.get("cache-control"), "public, max-age=30");
  });

  it("keeps no answer larger than RESPONSE_CACHE_MAX_BYTES", async () => {
    const router = await shop.startRouter({ RESPONSE_CACHE_MAX_BYTES: "64" });
    const { categoryId } = await shop.aProductInStock(2);
    const calls = shop.catalogProxy.received;
    await anonymously(router.url, STOCK, { categoryId });
    await anonymously(router.url, STOCK, { categoryId });
    assert.equal(shop.catalogProxy.received, calls + 2);
  });
});

describe("the router's response cache, on Kafka", { skip: needsKafka, timeout: 240_000 }, () => {
  let bus: EventBus;
  let shop: Shop;

  before(async () => {
    const run = `response-cache-${randomUUID().slice(0, 8)}`;
    bus = createKafkaBus({ brokers: (process.env.KAFKA_BROKERS ?? "").split(","), clientId: run, topicPrefix: `${run}.` });
    shop = await startShop(bus);
    // A new consumer group starts at the end of its topics once Kafka has assigned it partitions: probe until it hears.
    await until(
      "the router's consumer group receives events",
      async () => {
        const probe = createEvent({
          type: "catalog.category_changed.v1",
          source: "/storefront/test",
          data: { categoryId: randomUUID(), changes: ["name"], changedAt: new Date().toISOString() },
        });
        await bus.publish([{ topic: CATALOG_TOPIC, key: probe.data.categoryId, value: serializeEvent(probe) }]);
        await new Promise((resolve) => setTimeout(resolve, 500));
        return shop.gate.delivered.includes("catalog.category_changed.v1");
      },
      60_000,
    );
  });
  after(async () => {
    await shop?.close();
    await bus?.close();
  });

  it("empties the cache when an admin changes a price, through Kafka: held back, the old price is still served; delivered, the next anonymous read has the new price", async () => {
    await priceChangeEvictsTheListing(shop);
  });
});
