// The router on every core, in production mode as it runs in a container: WORKERS processes behind one port, /metrics
// with every worker's series, a dead worker replaced, and SIGTERM to the primary draining every worker (a request in
// flight is answered) before the primary exits 0.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import { sampleValue } from "@storefront/telemetry";
import { freePort, graphqlRequest, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { parse } from "graphql";
import { type HoldingProxy, startHoldingProxy } from "./support/holding-proxy.ts";
import { newSigningKey, signToken, startJwksServer, type TestJwksServer, type TestSigningKey } from "./support/keys.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const SHELF = "query Shelf { products(first: 5) { edges { node { sku } } } }";

/** The processes whose parent is `pid` (a cluster primary's workers). */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid ? [Number(entry)] : [];
      } catch {
        return [];
      }
    });
}

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the router with WORKERS=2 in production", { timeout: 180_000 }, () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let proxy: HoldingProxy;
  let dir: string;
  let router: ChildProcess;
  let url: string;
  const logLines: Record<string, unknown>[] = [];
  let exited: Promise<number | null>;
  let key: TestSigningKey;
  let jwks: TestJwksServer;

  before(async () => {
    key = await newSigningKey();
    jwks = await startJwksServer([key]);
    catalog = await startTestSubgraph(catalogSubgraph);
    await catalog.prisma.product.create({ data: { sku: "CORES-1", name: "Every core", priceAmount: 100, priceCurrency: "EUR" } });
    proxy = await startHoldingProxy(catalog.url);
    const composed = composeServices([
      { name: "catalog", url: proxy.url, typeDefs: parse(readFileSync(path.join(repoRoot, "subgraphs/catalog/schema.graphql"), "utf8")) },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join("\n"));
    dir = mkdtempSync(path.join(tmpdir(), "router-workers-"));
    writeFileSync(path.join(dir, "supergraph.graphql"), composed.supergraphSdl);
    const port = await freePort();
    url = `http://127.0.0.1:${port}/graphql`;
    router = spawn(process.execPath, [path.join(repoRoot, "router/src/main.ts")], {
      env: {
        ...process.env,
        NODE_ENV: "production",
        WORKERS: "2",
        PORT: String(port),
        SUPERGRAPH_PATH: path.join(dir, "supergraph.graphql"),
        LOG_LEVEL: "info",
        APOLLO_TELEMETRY_DISABLED: "true",
        // the held request must reach the subgraph, not be answered from the cache
        RESPONSE_CACHE_ENABLED: "false",
        JWKS_URL: jwks.url.href,
        RATE_LIMIT_PER_USER: "10",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    exited = new Promise((resolve) => router.once("exit", (code) => resolve(code)));
    let buffered = "";
    router.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("{")) logLines.push(JSON.parse(line) as Record<string, unknown>);
    });
    await until(() => logLines.some((line) => line.msg === "every worker serving"), "both workers serve");
  });
  after(async () => {
    if (router.exitCode === null && router.signalCode === null) router.kill("SIGKILL");
    await proxy?.close();
    await jwks?.close();
    await catalog?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs two worker processes under one primary, each answering on the one port", async () => {
    assert.equal(childrenOf(router.pid ?? 0).length, 2);
    for (let i = 0; i < 4; i++) {
      const { body } = await graphqlRequest(url, SHELF);
      assert.deepEqual(body, { data: { products: { edges: [{ node: { sku: "CORES-1" } }] } } });
    }
  });

  it("counts a user's rate limit once across the workers: of 14 requests on new connections (spread over both), 10 pass", async () => {
    const token = await signToken(key);
    // each on a connection of its own, so the primary hands them to the workers in turn
    const status = () =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          url,
          { method: "POST", agent: false, headers: { "content-type": "application/json", authorization: `Bearer ${token}` } },
          (res) => {
            res.resume();
            res.once("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.once("error", reject);
        req.end(JSON.stringify({ query: "{ __typename }" }));
      });
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push(await status());
    assert.deepEqual(statuses, [...Array(10).fill(200), ...Array(4).fill(429)]);
  });

  it("answers /metrics with the series of every worker, each labelled with its worker", async () => {
    const text = await (await fetch(new URL("/metrics", url))).text();
    for (const worker of ["1", "2"]) {
      assert.ok((sampleValue(text, "process_resident_memory_bytes", { worker }) ?? 0) > 0, `worker ${worker}'s memory is reported`);
    }
  });

  it("replaces a worker that dies, and goes on answering meanwhile", async () => {
    const [victim] = childrenOf(router.pid ?? 0);
    assert.ok(victim);
    process.kill(victim, "SIGKILL");
    // (a connection the primary hands out in the instant before it learns of the death is lost with the worker: Node's
    // round-robin cluster cannot take it back; so ask once the primary knows)
    await until(() => logLines.some((line) => line.msg === "a worker exited; starting another"), "the primary learns of it");
    // a kept-alive connection to the dead worker is reset; the next one lands on the worker still serving
    const shelf = () =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: SHELF }),
        signal: AbortSignal.timeout(15_000),
      });
    const answer = await shelf().catch(() => shelf());
    assert.equal(answer.status, 200, `the other worker answers; the router logged: ${JSON.stringify(logLines.map((line) => line.msg))}`);
    await until(() => logLines.some((line) => line.msg === "worker serving"), "a new worker serves");
    const workers = childrenOf(router.pid ?? 0);
    assert.equal(workers.length, 2);
    assert.ok(!workers.includes(victim));
  });

  it("drains every worker on SIGTERM to the primary: a request in flight is answered, then the primary exits 0", async () => {
    const workers = childrenOf(router.pid ?? 0);
    proxy.holdWhen((body) => body.includes("Shelf"));
    const inFlight = graphqlRequest(url, SHELF);
    await until(() => proxy.held() === 1, "the request reaches the subgraph");
    router.kill("SIGTERM");
    await until(() => logLines.some((line) => line.msg === "shutting down"), "the workers start draining");
    proxy.release();
    const { status, body } = await inFlight;
    assert.equal(status, 200);
    assert.deepEqual(body, { data: { products: { edges: [{ node: { sku: "CORES-1" } }] } } });
    assert.equal(await exited, 0);
    for (const pid of workers) assert.throws(() => process.kill(pid, 0), "every worker has exited");
  });
});
