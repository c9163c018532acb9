// The router's edge, priced: the same product listing through two routers over the same six subgraph processes, one
// with every protection on (operation limits and cost, rate limits; timeouts, circuit breakers and CORS are always on)
// and one with every protection that can be switched off switched off; both compress, cache and take persisted
// operations alike. Rounds alternate between the two so that drift of the machine hits both alike; the figures are
// medians over the rounds.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { routerNodeFlags } from "@storefront/router/node-flags";
import { freePort, startSupergraphProcesses } from "@storefront/testkit";
import autocannon from "autocannon";
import { median, round } from "./stats.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface RouterEdgeTarget {
  readonly postgresUrl: string;
  readonly log: (line: string) => void;
}

export interface RouterEdgeOptions {
  /** Pairs of rounds (one with protections, one without). */
  readonly rounds: number;
  readonly secondsPerRound: number;
  readonly connections: number;
}

export interface RoundFigures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

export interface RouterEdgeFigures {
  readonly query: string;
  readonly connections: number;
  readonly protected: RoundFigures;
  readonly unprotected: RoundFigures;
  /** How much throughput the protections cost, in percent of the unprotected router's. */
  readonly costPercent: number;
  readonly rounds: { readonly protected: RoundFigures[]; readonly unprotected: RoundFigures[] };
}

/** A storefront's product listing: 20 products with their category and stock (catalog, then inventory). */
export const LISTING = `query Listing {
  products(first: 20) {
    edges { node { id name sku price { amount currency } category { name } inStock inventory { available } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * Every protection that can be switched off, switched off; what cannot (timeouts, breakers, CORS) stays, and so does
 * what is no protection (compression, persisted queries, the response cache): the two routers differ only in guards.
 */
const unprotectedSettings: Record<string, string> = {
  MAX_DEPTH: "0",
  MAX_ALIASES: "0",
  MAX_ROOT_FIELDS: "0",
  MAX_TOKENS: "0",
  MAX_DIRECTIVES: "0",
  MAX_COST: "0",
  RATE_LIMIT_PER_ADDRESS: "off",
  RATE_LIMIT_PER_USER: "off",
};

/** The defaults, except budgets no load generator on one address could stay under: still counted, never exceeded. */
export const protectedSettings: Record<string, string> = {
  RATE_LIMIT_PER_ADDRESS: "100000000",
  RATE_LIMIT_PER_USER: "100000000",
};

async function load(url: string, seconds: number, connections: number): Promise<RoundFigures> {
  const result = await autocannon({
    url,
    method: "POST",
    connections,
    duration: seconds,
    headers: { "content-type": "application/json", "accept-encoding": "gzip, br" },
    body: JSON.stringify({ query: LISTING }),
  });
  return {
    requestsPerSecond: round(result.requests.average, 0),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

async function startRouter(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...routerNodeFlags, path.join(repoRoot, "router/src/main.ts")], {
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", APOLLO_TELEMETRY_DISABLED: "true", ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`${base}/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url: `${base}/graphql`, child };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill("SIGKILL");
  throw new Error("a benchmark router did not become ready within 60 s");
}

export async function benchmarkRouterEdge(target: RouterEdgeTarget, options: RouterEdgeOptions): Promise<RouterEdgeFigures> {
  const previous = process.env.TEST_POSTGRES_URL;
  process.env.TEST_POSTGRES_URL = target.postgresUrl;
  target.log("starting six subgraph processes ...");
  const stack = await startSupergraphProcesses({
    subgraphs: ["users", "catalog", "inventory", "cart", "orders", "payments"],
    env: { LOG_LEVEL: "warn", APOLLO_TELEMETRY_DISABLED: "true" },
  });
  const urlEnv = Object.fromEntries(Object.entries(stack.subgraphUrls).map(([name, url]) => [`${name.toUpperCase()}_URL`, url]));
  const routers: ChildProcess[] = [];
  try {
    const withEdge = await startRouter({ ...urlEnv, ...protectedSettings });
    const withoutEdge = await startRouter({ ...urlEnv, ...unprotectedSettings });
    routers.push(withEdge.child, withoutEdge.child);
    for (const router of [withEdge, withoutEdge]) {
      const probe = await fetch(router.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: LISTING }),
      });
      const body = (await probe.json()) as { errors?: unknown };
      if (!probe.ok || body.errors) throw new Error(`the listing fails through a benchmark router: ${JSON.stringify(body)}`);
    }
    target.log(`warming both routers up (3 s each) ...`);
    await load(withEdge.url, 3, options.connections);
    await load(withoutEdge.url, 3, options.connections);
    const rounds = { protected: [] as RoundFigures[], unprotected: [] as RoundFigures[] };
    for (let i = 0; i < options.rounds; i++) {
      // alternate which goes first, so neither always runs on a machine the other just warmed
      const order = i % 2 === 0 ? (["protected", "unprotected"] as const) : (["unprotected", "protected"] as const);
      for (const which of order) {
        const figures = await load(which === "protected" ? withEdge.url : withoutEdge.url, options.secondsPerRound, options.connections);
        rounds[which].push(figures);
        target.log(`round ${i + 1} ${which}: ${figures.requestsPerSecond} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms`);
      }
    }
    const summary = (list: RoundFigures[]): RoundFigures => ({
      requestsPerSecond: median(list.map((r) => r.requestsPerSecond)),
      p50Ms: median(list.map((r) => r.p50Ms)),
      p99Ms: median(list.map((r) => r.p99Ms)),
      errors: list.reduce((sum, r) => sum + r.errors, 0),
    });
    const on = summary(rounds.protected);
    const off = summary(rounds.unprotected);
    return {
      query: "product listing: 20 products with category and stock",
      connections: options.connections,
      protected: on,
      unprotected: off,
      costPercent: round((1 - on.requestsPerSecond / off.requestsPerSecond) * 100),
      rounds,
    };
  } finally {
    for (const router of routers) router.kill("SIGTERM");
    await stack.stop();
    if (previous === undefined) delete process.env.TEST_POSTGRES_URL;
    else process.env.TEST_POSTGRES_URL = previous;
  }
}
