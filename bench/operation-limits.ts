// node bench/operation-limits.ts
// How long the router takes to refuse the hostile operations its limits exist for, and how fast `{ __typename }`
// stays for another client while they keep coming. The six subgraphs and the router run as separate processes
// (the distributed way) with the router's default limits. Prints figures and writes them to
// bench/results/operation-limits-<timestamp>.json; asserts nothing about them.
//
// env: TEST_POSTGRES_URL     PostgreSQL for the subgraphs' databases (default postgresql://postgres@127.0.0.1:5432/postgres;
//                            PGlite directories when unset and unreachable)
//      BENCH_LIMIT_SAMPLES   refusals timed per shape (default 50)
//      BENCH_LIMIT_SECONDS   length of the baseline and of the under-attack phase (default 5)
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { graphqlRequest, startSupergraphProcesses } from "@storefront/testkit";
import pg from "pg";
import { type LatencySummary, summarize } from "./stats.ts";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const samples = Number(process.env.BENCH_LIMIT_SAMPLES ?? 50);
const phaseMs = Number(process.env.BENCH_LIMIT_SECONDS ?? 5) * 1000;
const repeat = (count: number, make: (i: number) => string) => Array.from({ length: count }, (_, i) => make(i)).join(" ");

/** The shapes measured against the shop before it had limits, and one that only the cost estimate stops. */
const shapes: Record<string, string> = {
  "depth: 13 children/parent pairs (370 B)": `{ category(slug: "audio") { ${"children { parent { ".repeat(13)}id${" } }".repeat(13)} } }`,
  "tokens: 5,000 aliased categories (124 KB)": `{ ${repeat(5_000, (i) => `a${i}: categories { id }`)} }`,
  "tokens: 300 aliased products(first: 100) with stock": `{ ${repeat(300, (i) => `p${i}: products(first: 100) { edges { node { id inStock inventory { available } } } }`)} }`,
  "cost: 13 aliased products(first: 100) with stock and category": `{ ${repeat(13, (i) => `p${i}: products(first: 100) { edges { node { id inventory { available } category { name } } } }`)} }`,
};

async function timed(url: string, query: string): Promise<{ ms: number; code: unknown }> {
  const started = performance.now();
  const { body } = await graphqlRequest(url, query);
  return { ms: performance.now() - started, code: body.errors?.[0]?.extensions?.code ?? "ok" };
}

/** `{ __typename }` one after another for `ms`, while `alongside` runs. */
async function typenameLatency(url: string, ms: number): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + ms;
  while (performance.now() < until) latencies.push((await timed(url, "{ __typename }")).ms);
  return latencies;
}

const postgresUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const probe = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3_000 });
try {
  await probe.connect();
  process.env.TEST_POSTGRES_URL = postgresUrl;
} catch {
  console.log(`PostgreSQL not reachable at ${postgresUrl}: the subgraphs run on PGlite`);
} finally {
  await probe.end().catch(() => {});
}

console.log("starting six subgraph processes and the router (default limits) ...");
const stack = await startSupergraphProcesses({
  subgraphs: ["users", "catalog", "inventory", "cart", "orders", "payments"],
  // the refusals are measured, not the rate limits that would otherwise answer 429 to one busy client
  env: { LOG_LEVEL: "warn", RATE_LIMIT_PER_ADDRESS: "off", RATE_LIMIT_PER_USER: "off" },
});
const results: { refusals: Record<string, LatencySummary & { code: string }>; typename: Record<string, LatencySummary> } = {
  refusals: {},
  typename: {},
};
try {
  const url = stack.routerUrl;
  for (const [name, query] of Object.entries(shapes)) {
    for (let i = 0; i < 3; i++) await timed(url, query); // warm-up: connections, JIT
    const runs: { ms: number; code: unknown }[] = [];
    for (let i = 0; i < samples; i++) runs.push(await timed(url, query));
    results.refusals[name] = { ...summarize(runs.map((run) => run.ms)), code: [...new Set(runs.map((run) => String(run.code)))].join(",") };
  }

  results.typename.alone = summarize(await typenameLatency(url, phaseMs));
  // Four attackers send the shapes back to back while one client asks `{ __typename }`.
  let attacking = true;
  const attackers = Array.from({ length: 4 }, async (_, n) => {
    const queries = Object.values(shapes);
    for (let i = n; attacking; i++) await timed(url, queries[i % queries.length] ?? "{ __typename }");
  });
  results.typename.underAttack = summarize(await typenameLatency(url, phaseMs));
  attacking = false;
  await Promise.all(attackers);
} finally {
  await stack.stop();
}

const row = (name: string, s: LatencySummary, extra = "") =>
  `${name.padEnd(62)} ${String(s.samples).padStart(6)} ${String(s.p50Ms).padStart(8)} ${String(s.p95Ms).padStart(8)} ${String(s.maxMs).padStart(8)}  ${extra}`;
console.log(
  `\n${"refused operation (client round trip, ms)".padEnd(62)} ${"n".padStart(6)} ${"p50".padStart(8)} ${"p95".padStart(8)} ${"max".padStart(8)}  code`,
);
for (const [name, summary] of Object.entries(results.refusals)) console.log(row(name, summary, summary.code));
console.log(
  `\n${"{ __typename } from another client (ms)".padEnd(62)} ${"n".padStart(6)} ${"p50".padStart(8)} ${"p95".padStart(8)} ${"max".padStart(8)}`,
);
console.log(row("alone", results.typename.alone as LatencySummary));
console.log(row("while 4 clients send the shapes above back to back", results.typename.underAttack as LatencySummary));

const resultsDir = path.join(benchDir, "results");
mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `operation-limits-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version }, samples, phaseMs, ...results }, null, 2)}\n`,
);
console.log(`\nwritten to ${path.relative(process.cwd(), file)}`);
