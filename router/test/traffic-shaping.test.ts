// Traffic from the router to its subgraphs: a timeout per subgraph, cancellation when the client leaves, a circuit
// breaker, a bound on connections, and errors that name the failed subgraph at the fields it would have filled.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { type InventoryPrisma, inventorySubgraph } from "@storefront/inventory";
import { type Logger, type RunningHttpServer, silentLogger } from "@storefront/service";
import { freePort, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { type GraphQLFormattedError, parse } from "graphql";
import { pino } from "pino";
import { createRouter, readRouterSettings } from "../src/index.ts";
import { type FaultProxy, startFaultProxy } from "./support/fault-proxy.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const sdl = (name: string) => parse(readFileSync(path.join(repoRoot, "subgraphs", name, "schema.graphql"), "utf8"));

const LISTING = "query Listing { products(first: 10, sort: NAME) { edges { node { sku name inStock inventory { available } } } } }";
type Listing = {
  products: { edges: { node: { sku: string; name: string; inStock: boolean | null; inventory: { available: number } | null } }[] };
};
type Answer = { data?: Listing | null; errors?: GraphQLFormattedError[] };

const SKUS = ["SHAPE-A", "SHAPE-B", "SHAPE-C"];

/** POSTs the listing; the client gives up after `patienceMs` (or when `signal` aborts), failing the test. */
async function askListing(url: string, options: { requestId?: string; signal?: AbortSignal; patienceMs?: number } = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(options.requestId ? { "x-request-id": options.requestId } : {}) },
    body: JSON.stringify({ query: LISTING }),
    signal: options.signal ?? AbortSignal.timeout(options.patienceMs ?? 10_000),
  });
  assert.equal(response.status, 200);
  return (await response.json()) as Answer;
}

/** A pino logger whose lines land in `lines`, to check what the router logs. */
function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

/** Each error as `code service reason path`, sorted. */
function errorsAt(answer: Answer): string[] {
  return (answer.errors ?? [])
    .map(
      (e) => `${String(e.extensions?.code)} ${String(e.extensions?.service)} ${String(e.extensions?.reason)} ${(e.path ?? []).join(".")}`,
    )
    .sort();
}

/** The errors a listing of SKUS gets when inventory gave no answer for `reason`. */
function stockErrors(reason: string): string[] {
  return SKUS.flatMap((_, i) => [
    `SERVICE_UNAVAILABLE inventory ${reason} products.edges.${i}.node.inStock`,
    `SERVICE_UNAVAILABLE inventory ${reason} products.edges.${i}.node.inventory`,
  ]).sort();
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("traffic shaping towards subgraphs", { timeout: 120_000 }, () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let inventory: TestSubgraph<InventoryPrisma>;
  let inventoryProxy: FaultProxy;
  let dir: string;
  let supergraphPath: string;
  const routers: RunningHttpServer[] = [];

  /** A router over catalog and (through the proxy) inventory, with `env` on top of test settings. */
  async function startRouter(env: Record<string, string>, logger: Logger = silentLogger()): Promise<RunningHttpServer> {
    const settings = readRouterSettings({ NODE_ENV: "test", SUPERGRAPH_PATH: supergraphPath, ...env });
    const router = await createRouter({ settings, logger }).listen(0);
    routers.push(router);
    return router;
  }

  before(async () => {
    [catalog, inventory] = await Promise.all([startTestSubgraph(catalogSubgraph), startTestSubgraph(inventorySubgraph)]);
    for (const [i, sku] of SKUS.entries()) {
      const product = await catalog.prisma.product.create({ data: { sku, name: `Shape ${sku}`, priceAmount: 100, priceCurrency: "EUR" } });
      await inventory.prisma.stockLevel.create({ data: { productId: product.id, onHand: i, reserved: 0 } });
    }
    inventoryProxy = await startFaultProxy(inventory.url);
    const composed = composeServices([
      { name: "catalog", url: catalog.url, typeDefs: sdl("catalog") },
      { name: "inventory", url: inventoryProxy.url, typeDefs: sdl("inventory") },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join("\n"));
    dir = mkdtempSync(path.join(tmpdir(), "traffic-shaping-"));
    supergraphPath = path.join(dir, "supergraph.graphql");
    writeFileSync(supergraphPath, composed.supergraphSdl);
  });
  after(async () => {
    for (const router of routers) await router.close();
    await inventoryProxy?.close();
    await Promise.all([catalog?.close(), inventory?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers a listing whose stock subgraph hangs once that subgraph's timeout passes: stock null with SERVICE_UNAVAILABLE naming inventory at each stock field, the catalog's fields there, in production too", async () => {
    const { logger, lines } = capturingLogger();
    // Production masks unexpected errors; these must pass through it.
    const router = await startRouter({ NODE_ENV: "production", SUBGRAPH_TIMEOUTS: "inventory:300", SUBGRAPH_TIMEOUT_MS: "60000" }, logger);
    inventoryProxy.mode = "hang";
    try {
      const answer = await askListing(router.url, { requestId: "hung-listing-1" });
      assert.deepEqual(
        answer.data?.products.edges.map(({ node }) => node),
        SKUS.map((sku) => ({ sku, name: `Shape ${sku}`, inStock: null, inventory: null })),
      );
      assert.deepEqual(errorsAt(answer), stockErrors("timeout"));
      for (const error of answer.errors ?? []) {
        assert.match(error.message, /inventory service did not answer in time.*Retrying later may work/);
      }
      const warnings = lines.filter((line) => line.msg === "subgraph call failed");
      assert.equal(warnings.length, 1, "one warning for the one failed call");
      assert.equal(warnings[0]?.level, 40);
      assert.equal(warnings[0]?.requestId, "hung-listing-1");
      assert.equal(warnings[0]?.subgraph, "inventory");
      assert.equal(warnings[0]?.reason, "timeout");
      assert.equal(typeof warnings[0]?.durationMs, "number");
    } finally {
      inventoryProxy.mode = "forward";
    }
  });

  it("cancels its call to the subgraph when the client goes away before the answer", async () => {
    const router = await startRouter({ SUBGRAPH_TIMEOUT_MS: "60000" });
    inventoryProxy.mode = "hang";
    try {
      const client = new AbortController();
      const held = inventoryProxy.nextHeldRequest();
      const asking = askListing(router.url, { signal: client.signal }).catch((error: unknown) => error);
      const request = await within(held, 10_000, "the listing reaches inventory");
      client.abort();
      assert.equal(((await asking) as Error).name, "AbortError");
      // Only the router cancelling can close it: the subgraph never answers and its timeout is a minute away.
      await within(request.connectionClosed, 10_000, "the router closes its request to inventory");
    } finally {
      inventoryProxy.mode = "forward";
    }
  });

  it("opens the circuit after consecutive failures and stops calling the subgraph, probes it after the cooldown (a failed trial opens it again), and closes it once a trial succeeds", async () => {
    const { logger, lines } = capturingLogger();
    const router = await startRouter({ SUBGRAPH_BREAKER_FAILURES: "3", SUBGRAPH_BREAKER_COOLDOWN_MS: "400" }, logger);
    inventoryProxy.mode = "fail";
    inventoryProxy.resetCounts();
    try {
      for (let i = 0; i < 3; i++) assert.deepEqual(errorsAt(await askListing(router.url)), stockErrors("bad_response"));
      assert.equal(inventoryProxy.received, 3);

      const open = await askListing(router.url);
      assert.deepEqual(errorsAt(open), stockErrors("circuit_open"));
      assert.equal(open.errors?.[0]?.extensions?.retryAfterSeconds, 1);
      assert.match(open.errors?.[0]?.message ?? "", /inventory service is failing.*Retry in 1 second\./);
      assert.equal(open.data?.products.edges.length, 3, "the catalog's part still arrives");
      assert.equal(inventoryProxy.received, 3, "an open circuit does not call the subgraph");
      assert.ok(lines.some((line) => line.msg === "subgraph circuit opened" && line.subgraph === "inventory"));

      // After the cooldown one trial call goes through; it fails, so the circuit opens again.
      const trial = await untilNot("circuit_open", () => askListing(router.url));
      assert.deepEqual(errorsAt(trial), stockErrors("bad_response"));
      assert.equal(inventoryProxy.received, 4);
      assert.deepEqual(errorsAt(await askListing(router.url)), stockErrors("circuit_open"));
      assert.equal(inventoryProxy.received, 4);

      inventoryProxy.mode = "forward";
      const recovered = await untilNot("circuit_open", () => askListing(router.url));
      assert.deepEqual(recovered.errors, undefined);
      assert.deepEqual(
        recovered.data?.products.edges.map(({ node }) => [node.sku, node.inStock, node.inventory?.available]),
        [
          ["SHAPE-A", false, 0],
          ["SHAPE-B", true, 1],
          ["SHAPE-C", true, 2],
        ],
      );
      const closed = await askListing(router.url);
      assert.deepEqual(closed.errors, undefined);
      assert.equal(inventoryProxy.received, 6, "a closed circuit calls the subgraph again");
      assert.ok(lines.some((line) => line.msg === "subgraph circuit closed" && line.subgraph === "inventory"));
    } finally {
      inventoryProxy.mode = "forward";
    }
  });

  it("keeps at most SUBGRAPH_MAX_CONNECTIONS connections open to a subgraph: further calls wait for one within their timeout", async () => {
    const router = await startRouter({
      SUBGRAPH_MAX_CONNECTIONS: "2",
      SUBGRAPH_TIMEOUTS: "inventory:1500",
      SUBGRAPH_BREAKER_FAILURES: "100",
      // five identical listings would otherwise share one call (subgraph-dedupe.test.ts)
      SUBGRAPH_DEDUPLICATE_QUERIES: "false",
    });
    inventoryProxy.mode = "hang";
    inventoryProxy.resetCounts();
    try {
      const twoHeld = Promise.all([inventoryProxy.nextHeldRequest(), inventoryProxy.nextHeldRequest()]);
      const asking = Promise.all(Array.from({ length: 5 }, () => askListing(router.url)));
      // Counted before the first call times out (1500 ms): later, a connection the router aborts may still look open to
      // the proxy while the pool already opens the next one for a waiting call.
      await twoHeld;
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(inventoryProxy.mostOpenConnections, 2);
      assert.equal(inventoryProxy.received, 2, "the three other calls wait for one of the two connections");
      for (const answer of await asking) assert.deepEqual(errorsAt(answer), stockErrors("timeout"));
    } finally {
      inventoryProxy.mode = "forward";
    }
  });

  it("answers SERVICE_UNAVAILABLE at the root field of a subgraph that cannot be reached, naming it", async () => {
    const router = await startRouter({ CATALOG_URL: `http://127.0.0.1:${await freePort()}/graphql` });
    const answer = await askListing(router.url);
    assert.equal(answer.data, null, "products is non-null and owned by the catalog: nothing is left to answer");
    assert.deepEqual(errorsAt(answer), ["SERVICE_UNAVAILABLE catalog unreachable products"]);
    assert.match(answer.errors?.[0]?.message ?? "", /catalog service cannot be reached/);
  });
});

/** Asks again (a bounded number of times, 50 ms apart) while the listing's errors all have `reason`. */
async function untilNot(reason: string, ask: () => Promise<Answer>): Promise<Answer> {
  for (let i = 0; i < 200; i++) {
    const answer = await ask();
    if (!answer.errors?.every((error) => error.extensions?.reason === reason)) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`every answer still failed with ${reason}`);
}
