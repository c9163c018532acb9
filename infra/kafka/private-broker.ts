import { execFile, spawn, spawnSync } from "node:child_process";
import { openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
// the test kit's port claims (a module with no dependencies), shared with the services the tests start
import { freePort } from "../../packages/testkit/src/ports.ts";

const run = promisify(execFile);
// the scripts and jars next to this file
const KAFKA_DIR = new URL("./", import.meta.url).pathname;
const HEAP = ["-Xms128m", "-Xmx384m"];

/** A Kafka broker a test owns alone, so it can stop and start it without disturbing the test run's shared broker. */
export interface PrivateBroker {
  /** `host:port`, what KAFKA_BROKERS expects. */
  readonly address: string;
  /** Controlled shutdown (infra/kafka/stop.sh); the data directory stays, so topics, offsets and groups survive. */
  stop(): Promise<void>;
  /** Starts the same broker again on its data (start.sh would wipe it, so the JVM is launched directly). */
  restart(): Promise<void>;
  /** Stops it and deletes its directory. */
  destroy(): Promise<void>;
}

const javaCommand = () => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java");

/** Why startPrivateBroker cannot work on this machine (no java, or the broker's jars not fetched), or false when it can. */
export function privateBrokerUnavailable(): string | false {
  let jars: string[] = [];
  try {
    jars = readdirSync(join(KAFKA_DIR, "lib"));
  } catch {} // not fetched yet
  if (!jars.some((file) => /^kafka_2\.13-.*\.jar$/.test(file))) {
    return "needs the Kafka broker's jars in infra/kafka/lib (infra/kafka/start.sh fetches them with mvn)";
  }
  if (spawnSync(javaCommand(), ["-version"], { stdio: "ignore" }).status !== 0) return "needs java (a JDK 17+) to run a broker";
  return false;
}

/**
 * Starts a single-node broker of its own (infra/kafka/start.sh on free ports, in a temporary directory), for tests of
 * what happens while Kafka is away. Needs java and the broker's jars in infra/kafka/lib (the test orchestrator fetches them).
 */
export async function startPrivateBroker(): Promise<PrivateBroker> {
  const runDir = join(tmpdir(), `storefront-kafka-${process.pid}-${Date.now().toString(36)}`);
  // Ports claimed for this test process until it exits: another test file running alongside cannot take them while
  // the JVM starts, nor while a test has the broker stopped and is about to restart it on the same ports.
  const ports = { KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()) };
  const env = { ...process.env, ...ports, KAFKA_RUN_DIR: runDir, KAFKA_HEAP_OPTS: HEAP.join(" ") };
  const { stdout } = await run("bash", [join(KAFKA_DIR, "start.sh")], { env, timeout: 120_000 });
  const address = /KAFKA_BROKERS=(\S+)/.exec(stdout)?.[1];
  if (!address) throw new Error(`private broker did not start: ${stdout}`);
  let generation = 0;

  const stop = async (): Promise<void> => {
    await run("bash", [join(KAFKA_DIR, "stop.sh")], { env, timeout: 60_000 });
  };

  const restart = async (): Promise<void> => {
    generation += 1;
    const log = join(runDir, `kafka-${generation}.log`);
    const out = openSync(log, "a");
    const child = spawn(
      javaCommand(),
      [
        ...HEAP,
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        `-Dlog4j2.configurationFile=${join(KAFKA_DIR, "log4j2.properties")}`,
        `-Dkafka.logs.dir=${runDir}`,
        "-cp",
        `${join(KAFKA_DIR, "lib")}/*`,
        "kafka.Kafka",
        join(runDir, "server.properties"),
      ],
      { detached: true, stdio: ["ignore", out, out] },
    );
    child.unref();
    // stop.sh finds the broker by this pid
    writeFileSync(join(runDir, "kafka.pid"), String(child.pid));
    await until(
      "the private broker started again",
      () => child.exitCode === null && readFileSync(log, "utf8").includes("Kafka Server started"),
      60_000,
      () => (child.exitCode !== null ? `it exited with ${child.exitCode}:\n${readFileSync(log, "utf8").slice(-4_000)}` : ""),
    );
  };

  const destroy = async (): Promise<void> => {
    await stop().catch(() => {});
    rmSync(runDir, { recursive: true, force: true });
  };

  return { address, stop, restart, destroy };
}

/** Polls `check` until it holds; fails after `timeoutMs`, or at once when `failure` has something to say. */
async function until(what: string, check: () => boolean, timeoutMs: number, failure: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    const reason = failure();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
