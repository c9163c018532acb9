// npm test [-- <path filters>]
// Runs every test file with node's test runner against real PostgreSQL and a real Kafka broker
// when they are configured or can be started here, and against the embedded adapters (PGlite,
// in-process bus) otherwise, and says which it used. With CI=true or
// STOREFRONT_REQUIRE_REAL_INFRA=1 it fails instead of falling back.
import { spawn, spawnSync } from "node:child_process";
import { globSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { repoRoot, subgraphNames } from "./subgraphs.ts";

const requireReal = process.env.CI === "true" || process.env.STOREFRONT_REQUIRE_REAL_INFRA === "1";
const filters = process.argv.slice(2);
const kafkaRunDir = path.join(repoRoot, ".cache", "kafka-test");

function fail(message: string): never {
  console.error(`npm test: ${message}`);
  process.exit(1);
}

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
  // kafkajs 2.2.4 schedules negative timeouts, which Node 24 warns about; the warning is harmless noise.
  NODE_OPTIONS: [process.env.NODE_OPTIONS, "--disable-warning=TimeoutNegativeWarning"].filter(Boolean).join(" "),
};
const used: string[] = [];

// PostgreSQL
const postgresUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const postgresProblem = await postgresReachable(postgresUrl);
if (postgresProblem === null) {
  env.TEST_POSTGRES_URL = postgresUrl;
  used.push(`PostgreSQL (real, ${new URL(postgresUrl).host})`);
} else if (requireReal) {
  fail(`PostgreSQL is required but not reachable at ${postgresUrl}: ${postgresProblem}`);
} else {
  delete env.TEST_POSTGRES_URL;
  used.push(`PGlite (embedded; PostgreSQL not reachable: ${postgresProblem})`);
}

// Kafka
let startedKafka = false;
const started = performance.now();
if (process.env.KAFKA_BROKERS) {
  used.push(`Kafka (real, ${process.env.KAFKA_BROKERS})`);
} else {
  const kafka = startKafka();
  if ("brokers" in kafka) {
    startedKafka = true;
    env.KAFKA_BROKERS = kafka.brokers;
    used.push(`Kafka (real, started for the tests at ${kafka.brokers} in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } else if (requireReal) {
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

const runner = spawn(
  process.execPath,
  ["--test", "--test-reporter=spec", `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files],
  {
    cwd: repoRoot,
    env,
    stdio: "inherit",
  },
);
const code: number = await new Promise((resolve) => runner.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
cleanUp();
console.log(`Test infrastructure was: ${used.join(" + ")}`);
process.exit(code);
