// npm run bench [-- events saga router gateway]
// Benchmarks on real PostgreSQL, a real Kafka broker and real processes: the event pipeline (events), checkout → PAID
// through the router (saga), the router's protections on vs off (router), this router against the stock
// @apollo/gateway and Hive Gateway (gateway); all four unless named. Prints figures and
// writes them to bench/results/<timestamp>.json; asserts nothing about them.
//
// env: KAFKA_BROKERS       a broker to use (default: start a throw-away one with infra/kafka/start.sh, stopped at the end)
//      TEST_POSTGRES_URL   admin connection (default postgresql://postgres@127.0.0.1:5432/postgres)
//      BENCH_EVENTS        events per relay round (default 20000)
//      BENCH_BATCH_SIZES   relay batch sizes, comma-separated (default 100,500,1000)
//      BENCH_LATENCY_SAMPLES, BENCH_LATENCY_RATE   latency events per path (default 200) and per second (default 20)
//      BENCH_SAGA_SAMPLES  checkout → PAID journeys through the router (default 30; 0 skips them)
//      BENCH_ROUTER_ROUNDS, BENCH_ROUTER_SECONDS, BENCH_ROUTER_CONNECTIONS   router rounds per configuration (default 3),
//                          seconds per round (default 10), concurrent connections (default 50)
//      BENCH_GATEWAY_ROUNDS, BENCH_GATEWAY_SECONDS, BENCH_GATEWAY_CONNECTIONS, BENCH_GATEWAY_WARMUP_SECONDS   gateway
//                          rounds (default 3), seconds per round and query and gateway (default 10), concurrent
//                          connections (default 50), warm-up seconds per query and gateway (default 3)
//      BENCH_GATEWAY_QUERIES, BENCH_GATEWAYS   subsets, comma-separated (default typename,listing,product,account and
//                          router,apollo,hive)
//      BENCH_GATEWAY_ROUTER_WORKERS, BENCH_GATEWAY_SUBGRAPH_WORKERS   WORKERS of this router and of each subgraph (default 1)
//      BENCH_GATEWAY_ROUTER_ENV   extra router settings, `NAME=value` comma-separated (e.g. SUBGRAPH_DEDUPLICATE_QUERIES=false)
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import {
  benchmarkGateways,
  type GatewayBenchFigures,
  type GatewayName,
  type GatewayQueryName,
  gatewayNames,
  gatewayQueryNames,
  gatewayTable,
} from "./gateway.ts";
import { deleteByPrefix } from "./kafka-cleanup.ts";
import { dropLeftoverBenchDatabases } from "./pg-db.ts";
import { benchmarkLatency, benchmarkRelay, type PipelineTarget } from "./relay.ts";
import { benchmarkRouterEdge, type RouterEdgeFigures } from "./router.ts";
import { benchmarkCheckoutToPaid, type SagaFigures } from "./saga.ts";

// @apollo/gateway reports to Apollo unless told not to: no benchmark process phones home
process.env.APOLLO_TELEMETRY_DISABLED = "true";

// kafkajs 2.2.4 schedules setTimeout with a negative delay on Node 24 (clamped to 1 ms, harmless); keep the output clean
const printWarning = process.listeners("warning");
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name === "TimeoutNegativeWarning") return;
  for (const listener of printWarning) listener(warning);
});

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(benchDir);
const kafkaRunDir = path.join(repoRoot, ".cache", "kafka-bench");

function fail(message: string): never {
  console.error(`npm run bench: ${message}`);
  process.exit(1);
}

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) fail(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

const benchmarks = ["events", "saga", "router", "gateway"] as const;
const named = process.argv.slice(2);
for (const name of named) if (!benchmarks.includes(name as never)) fail(`unknown benchmark ${name}; choose from ${benchmarks.join(", ")}`);
const selected = new Set(named.length > 0 ? named : benchmarks);

const events = numberFromEnv("BENCH_EVENTS", 20_000);
const batchSizes = (process.env.BENCH_BATCH_SIZES ?? "100,500,1000").split(",").map((each) => {
  const value = Number(each.trim());
  if (!Number.isInteger(value) || value <= 0) fail(`BENCH_BATCH_SIZES must list positive integers, got ${JSON.stringify(each)}`);
  return value;
});
const latencySamples = numberFromEnv("BENCH_LATENCY_SAMPLES", 200);
const latencyRate = numberFromEnv("BENCH_LATENCY_RATE", 20);
const sagaSamples = process.env.BENCH_SAGA_SAMPLES === "0" || !selected.has("saga") ? 0 : numberFromEnv("BENCH_SAGA_SAMPLES", 30);
const routerOptions = {
  rounds: numberFromEnv("BENCH_ROUTER_ROUNDS", 3),
  secondsPerRound: numberFromEnv("BENCH_ROUTER_SECONDS", 10),
  connections: numberFromEnv("BENCH_ROUTER_CONNECTIONS", 50),
};
/** A comma-separated subset of `choices`, all of them when unset. */
function subsetFromEnv<T extends string>(name: string, choices: readonly T[]): T[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return [...choices];
  const chosen = raw.split(",").map((each) => each.trim());
  for (const each of chosen)
    if (!choices.includes(each as T)) fail(`${name}: unknown ${JSON.stringify(each)}; choose from ${choices.join(", ")}`);
  return chosen as T[];
}
const gatewayOptions = {
  rounds: numberFromEnv("BENCH_GATEWAY_ROUNDS", 3),
  secondsPerRound: numberFromEnv("BENCH_GATEWAY_SECONDS", 10),
  warmUpSeconds: numberFromEnv("BENCH_GATEWAY_WARMUP_SECONDS", 3),
  connections: numberFromEnv("BENCH_GATEWAY_CONNECTIONS", 50),
  queries: subsetFromEnv<GatewayQueryName>("BENCH_GATEWAY_QUERIES", gatewayQueryNames),
  gateways: subsetFromEnv<GatewayName>("BENCH_GATEWAYS", gatewayNames),
  routerWorkers: numberFromEnv("BENCH_GATEWAY_ROUTER_WORKERS", 1),
  subgraphWorkers: numberFromEnv("BENCH_GATEWAY_SUBGRAPH_WORKERS", 1),
  routerEnv: Object.fromEntries(
    (process.env.BENCH_GATEWAY_ROUTER_ENV ?? "")
      .split(",")
      .filter((pair) => pair.trim() !== "")
      .map((pair) => {
        const [name = "", ...value] = pair.split("=");
        if (!/^[A-Z][A-Z0-9_]*$/.test(name.trim()) || value.length === 0) fail(`BENCH_GATEWAY_ROUTER_ENV: "${pair}" is not NAME=value`);
        return [name.trim(), value.join("=").trim()];
      }),
  ),
};
const needsKafka = selected.has("events") || sagaSamples > 0;

// PostgreSQL
const postgresUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const probe = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3_000 });
let postgresVersion = "";
try {
  await probe.connect();
  const { rows } = await probe.query<{ server_version: string }>("SHOW server_version");
  postgresVersion = rows[0]?.server_version ?? "";
} catch (error) {
  fail(`PostgreSQL is not reachable at ${postgresUrl}: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await probe.end().catch(() => {});
}
const leftovers = await dropLeftoverBenchDatabases(postgresUrl);
if (leftovers.length > 0) console.log(`dropped databases left by an earlier run: ${leftovers.join(", ")}`);

// Kafka
let startedKafka = false;
const stopKafka = (): void => {
  if (!startedKafka) return;
  startedKafka = false;
  spawnSync("bash", [path.join(repoRoot, "infra/kafka/stop.sh")], { env: { ...process.env, KAFKA_RUN_DIR: kafkaRunDir }, stdio: "ignore" });
};
process.on("SIGINT", () => {
  stopKafka();
  process.exit(130);
});
let brokers = "";
if (process.env.KAFKA_BROKERS) {
  brokers = process.env.KAFKA_BROKERS;
} else if (needsKafka) {
  console.log("starting a throw-away Kafka broker (infra/kafka/start.sh) ...");
  const started = spawnSync("bash", [path.join(repoRoot, "infra/kafka/start.sh")], {
    env: { ...process.env, KAFKA_RUN_DIR: kafkaRunDir },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (started.status !== 0) fail(`no KAFKA_BROKERS and the broker could not be started:\n${(started.stderr || started.stdout).trim()}`);
  startedKafka = true;
  brokers = readFileSync(path.join(kafkaRunDir, "brokers"), "utf8").trim();
}

const target: PipelineTarget = {
  postgresUrl,
  brokers: brokers.split(",").map((broker) => broker.trim()),
  topicPrefix: `bench-${randomUUID().slice(0, 8)}.`,
  log: (line) => console.log(`  ${line}`),
};
console.log(
  `benchmarks ${[...selected].join(", ")}: PostgreSQL ${postgresVersion} (${new URL(postgresUrl).host})${needsKafka ? `, Kafka ${brokers}${startedKafka ? " (started for the benchmark)" : ""}` : ""}, ${os.cpus().length} CPUs`,
);

const startedAt = new Date();
let exitCode = 0;
try {
  const relay = selected.has("events") ? await benchmarkRelay(target, { events, batchSizes }) : null;
  const latency = selected.has("events") ? await benchmarkLatency(target, { samples: latencySamples, ratePerSecond: latencyRate }) : null;
  let saga: SagaFigures | null = null;
  if (sagaSamples > 0) {
    console.log(`checkout → PAID: ${sagaSamples} journeys through the router, one at a time`);
    saga = await benchmarkCheckoutToPaid(
      { postgresUrl, brokers: target.brokers, namespace: target.topicPrefix.slice(0, -1), log: target.log },
      { samples: sagaSamples },
    );
  }

  let router: RouterEdgeFigures | null = null;
  if (selected.has("router")) {
    console.log(
      `router edge: the product listing at ${routerOptions.connections} connections, protections on vs off, ${routerOptions.rounds} rounds of ${routerOptions.secondsPerRound} s each`,
    );
    router = await benchmarkRouterEdge({ postgresUrl, log: target.log }, routerOptions);
  }

  let gateway: GatewayBenchFigures | null = null;
  if (selected.has("gateway")) {
    console.log(
      `gateways: ${gatewayOptions.queries.join(", ")} at ${gatewayOptions.connections} connections through ${gatewayOptions.gateways.join(", ")}, ${gatewayOptions.rounds} rounds of ${gatewayOptions.secondsPerRound} s each`,
    );
    gateway = await benchmarkGateways({ postgresUrl, log: target.log }, gatewayOptions);
  }

  console.log("\nresults");
  if (relay)
    console.table([
      {
        benchmark: "enqueue (1 event/tx, 8 concurrent)",
        "events/s": relay.enqueueSingle.eventsPerSecond,
        events: relay.enqueueSingle.events,
        seconds: relay.enqueueSingle.seconds,
      },
      ...relay.rounds.flatMap((round) => [
        {
          benchmark: `enqueue (${round.enqueue.eventsPerTransaction} events/tx, ${round.enqueue.concurrency} concurrent)`,
          "events/s": round.enqueue.eventsPerSecond,
          events: round.enqueue.events,
          seconds: round.enqueue.seconds,
        },
        {
          benchmark: `relay → Kafka, batch ${round.batchSize}`,
          "events/s": round.eventsPerSecond,
          events: round.events,
          seconds: round.seconds,
        },
      ]),
    ]);
  if (latency)
    console.table(
      Object.fromEntries(
        (
          [
            ["publish → consume", latency.publishToConsume],
            ["commit → relay → consume", latency.commitToConsume],
          ] as const
        ).map(([name, summary]) => [
          `${name} (${latency.ratePerSecond}/s)`,
          {
            "p50 ms": summary.p50Ms,
            "p95 ms": summary.p95Ms,
            "p99 ms": summary.p99Ms,
            "max ms": summary.maxMs,
            samples: summary.samples,
            lost: summary.lost,
          },
        ]),
      ),
    );

  if (saga) {
    console.table(
      Object.fromEntries(
        (
          [
            ["checkout (mutation)", saga.checkout],
            ["checkout → payable (order.placed via Kafka)", saga.placedToPayable],
            ["payOrder (mutation)", saga.pay],
            ["captured → order PAID (via Kafka)", saga.paidToOrderPaid],
            ["checkout → PAID (whole journey)", saga.checkoutToPaid],
          ] as const
        ).map(([name, summary]) => [
          name,
          { "p50 ms": summary.p50Ms, "p95 ms": summary.p95Ms, "max ms": summary.maxMs, samples: summary.samples },
        ]),
      ),
    );
  }

  if (router) {
    console.table({
      "protections on": {
        "req/s": router.protected.requestsPerSecond,
        "p50 ms": router.protected.p50Ms,
        "p99 ms": router.protected.p99Ms,
        errors: router.protected.errors,
      },
      "protections off": {
        "req/s": router.unprotected.requestsPerSecond,
        "p50 ms": router.unprotected.p50Ms,
        "p99 ms": router.unprotected.p99Ms,
        errors: router.unprotected.errors,
      },
    });
    console.log(
      `the protections cost ${router.costPercent}% of the listing's throughput (${router.query}, ${router.connections} connections)`,
    );
  }

  if (gateway) {
    console.table(gatewayTable(gateway));
    console.log(
      `gateway RSS after the loads: ${Object.entries(gateway.rssMiB)
        .map(([name, mib]) => `${name} ${mib} MiB`)
        .join(
          ", ",
        )}; router WORKERS=${gateway.routerWorkers}, subgraph WORKERS=${gateway.subgraphWorkers}; load average ${gateway.loadAverage.before.join(" ")} before, ${gateway.loadAverage.after.join(" ")} after (${os.cpus().length} CPUs)`,
    );
  }

  const resultsDir = path.join(benchDir, "results");
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(
    resultsDir,
    `${startedAt
      .toISOString()
      .replaceAll(":", "-")
      .replace(/\.\d+Z$/, "Z")}.json`,
  );
  const report = {
    startedAt: startedAt.toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
    },
    postgres: { version: postgresVersion, host: new URL(postgresUrl).host },
    kafka: needsKafka ? { brokers, startedForBenchmark: startedKafka } : null,
    relay,
    latency,
    saga,
    router,
    gateway,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written to ${path.relative(repoRoot, file)}`);
} catch (error) {
  exitCode = 1;
  console.error("npm run bench: failed:", error);
} finally {
  if (!startedKafka && needsKafka) {
    // a shared broker: remove this run's topics and consumer groups (a throw-away broker is wiped anyway)
    await deleteByPrefix(target.brokers, target.topicPrefix).catch((error: unknown) =>
      console.error(`could not delete the ${target.topicPrefix}* topics: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
  stopKafka();
}
process.exit(exitCode);
