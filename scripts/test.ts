// npm test [-- <path filters>]
// Runs every test file (or those whose path contains a filter) with node's test runner, on the infrastructure that
// STOREFRONT_TEST_INFRA names:
//   auto (default)  real PostgreSQL when TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
//                   answers, else embedded PGlite; a real Kafka broker from KAFKA_BROKERS, or one started here from
//                   infra/kafka (needs java, and mvn the first time), else the in-process bus.
//   real            real PostgreSQL and a real Kafka broker, or fail instead of falling back. CI=true and
//                   STOREFRONT_REQUIRE_REAL_INFRA=1 mean this when no mode is given.
//   embedded        PGlite and the in-process bus, what a machine with only Node 24 has: nothing is probed or started,
//                   and TEST_POSTGRES_URL and KAFKA_BROKERS are not passed on to the tests.
// Tests read only TEST_POSTGRES_URL and KAFKA_BROKERS, never a default address: without them they run embedded, and
// the few that need a real server (a broker to stop and restart, a second PostgreSQL session) skip and say why.
// The first and last lines say which infrastructure was used; the last one also counts tests, passes, failures and
// skips, and lists the reasons for the skips.
import { spawn, spawnSync } from "node:child_process";
import { globSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { repoRoot, subgraphNames } from "./subgraphs.ts";
import type { RunSummary } from "./test-summary-reporter.ts";

const modes = ["auto", "real", "embedded"] as const;
type Mode = (typeof modes)[number];
const requestedMode = process.env.STOREFRONT_TEST_INFRA;
const legacyReal = process.env.CI === "true" || process.env.STOREFRONT_REQUIRE_REAL_INFRA === "1";
const mode: Mode = requestedMode ? (requestedMode as Mode) : legacyReal ? "real" : "auto";
const filters = process.argv.slice(2);
const kafkaRunDir = path.join(repoRoot, ".cache", "kafka-test");

function fail(message: string): never {
  console.error(`npm test: ${message}`);
  process.exit(1);
}

if (!modes.includes(mode)) fail(`STOREFRONT_TEST_INFRA must be one of ${modes.join(", ")}, not "${requestedMode}"`);

async function postgresReachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

function startKafka(): { brokers: string } | { error: string } {
  const result = spawnSync("bash", [path.join(repoRoot, "infra/kafka/start.sh")], {
    env: { ...process.env, KAFKA_RUN_DIR: kafkaRunDir },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (result.status !== 0) return { error: (result.stderr || result.stdout || "start.sh failed").trim().split("\n").slice(-5).join("\n") };
  return { brokers: readFileSync(path.join(kafkaRunDir, "brokers"), "utf8").trim() };
}

function stopKafka(): void {
  spawnSync("bash", [path.join(repoRoot, "infra/kafka/stop.sh")], { env: { ...process.env, KAFKA_RUN_DIR: kafkaRunDir }, stdio: "ignore" });
}

const env: Record<string, string | undefined> = {
  ...process.env,
  NODE_ENV: "test",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
  // @apollo/gateway reports to Apollo unless told not to; the router says so itself, and so does every test process.
  APOLLO_TELEMETRY_DISABLED: "true",
  // kafkajs 2.2.4 schedules negative timeouts, which Node 24 warns about; the warning is harmless noise.
  NODE_OPTIONS: [process.env.NODE_OPTIONS, "--disable-warning=TimeoutNegativeWarning"].filter(Boolean).join(" "),
};
const used: string[] = [];

// PostgreSQL
if (mode === "embedded") {
  delete env.TEST_POSTGRES_URL;
  used.push("PGlite (embedded, STOREFRONT_TEST_INFRA=embedded)");
} else {
  const postgresUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const postgresProblem = await postgresReachable(postgresUrl);
  if (postgresProblem === null) {
    env.TEST_POSTGRES_URL = postgresUrl;
    used.push(`PostgreSQL (real, ${new URL(postgresUrl).host})`);
  } else if (mode === "real") {
    fail(`PostgreSQL is required but not reachable at ${postgresUrl}: ${postgresProblem}`);
  } else {
    delete env.TEST_POSTGRES_URL;
    used.push(`PGlite (embedded; PostgreSQL not reachable: ${postgresProblem})`);
  }
}

// Kafka
let startedKafka = false;
const kafkaStarted = performance.now();
if (mode === "embedded") {
  delete env.KAFKA_BROKERS;
  used.push("in-process event bus (embedded)");
} else if (process.env.KAFKA_BROKERS) {
  used.push(`Kafka (real, ${process.env.KAFKA_BROKERS})`);
} else {
  const kafka = startKafka();
  if ("brokers" in kafka) {
    startedKafka = true;
    env.KAFKA_BROKERS = kafka.brokers;
    used.push(`Kafka (real, started for the tests at ${kafka.brokers} in ${((performance.now() - kafkaStarted) / 1000).toFixed(1)} s)`);
  } else if (mode === "real") {
    fail(`a Kafka broker is required but could not be started:\n${kafka.error}`);
  } else {
    used.push(`in-process event bus (embedded; no Kafka: ${kafka.error.split("\n")[0]})`);
  }
}
const cleanUp = () => startedKafka && stopKafka();
process.on("SIGINT", () => {
  cleanUp();
  process.exit(130);
});

console.log(`Test infrastructure: ${used.join(" + ")}`);

const patterns = ["packages/*/test/**/*.test.ts", "subgraphs/*/test/**/*.test.ts", "router/test/**/*.test.ts", "test/**/*.test.ts"];
const files = patterns
  .flatMap((pattern) => globSync(pattern, { cwd: repoRoot }))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) fail(`no test files match ${filters.join(" ")}`);

// Migrate each subgraph's template database once; every test then clones its own database from it.
const { prepareTestTemplates } = await import("@storefront/db");
await prepareTestTemplates([...subgraphNames], { env });

const summaryDir = mkdtempSync(path.join(tmpdir(), "storefront-test-summary-"));
const summaryFile = path.join(summaryDir, "summary.json");
const runner = spawn(
  process.execPath,
  [
    "--test",
    // A file whose tests are done exits even if something it started forgot a handle: CI must never hang on one.
    "--test-force-exit",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${path.join(repoRoot, "scripts", "test-summary-reporter.ts")}`,
    `--test-reporter-destination=${summaryFile}`,
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
    ...files,
  ],
  { cwd: repoRoot, env, stdio: "inherit" },
);
const code: number = await new Promise((resolve) => runner.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
cleanUp();
console.log(`\nTest infrastructure was: ${used.join(" + ")}`);
console.log(closingLine(readSummary(), performance.now() / 1000));
rmSync(summaryDir, { recursive: true, force: true });
process.exit(code);

function readSummary(): RunSummary | null {
  try {
    return JSON.parse(readFileSync(summaryFile, "utf8")) as RunSummary;
  } catch {
    return null; // the runner died before its summary
  }
}

function closingLine(summary: RunSummary | null, seconds: number): string {
  const duration = seconds < 90 ? `${seconds.toFixed(0)} s` : `${Math.floor(seconds / 60)} min ${(seconds % 60).toFixed(0)} s`;
  if (!summary) return `npm test (${mode}): no summary from the test runner, after ${duration}`;
  const { tests, passed, failed, skipped, cancelled, todo } = summary.counts;
  const skippedSuites = summary.skips.filter((skip) => skip.suite).length;
  const lines = [
    `npm test (${mode}): ${tests} tests, ${passed} passed, ${failed} failed, ${skipped} skipped` +
      (skippedSuites ? ` (and ${skippedSuites} suite${skippedSuites === 1 ? "" : "s"} skipped whole)` : "") +
      (cancelled ? `, ${cancelled} cancelled` : "") +
      (todo ? `, ${todo} todo` : "") +
      `, in ${duration}`,
  ];
  const byReason = Map.groupBy(summary.skips, (skip) => skip.reason);
  for (const [reason, skips] of byReason) {
    const where = [...new Set(skips.map((skip) => path.relative(repoRoot, skip.file)))].join(", ");
    lines.push(`  skipped ${skips.length}× (${where}): ${reason}`);
  }
  return lines.join("\n");
}
