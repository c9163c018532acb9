import { execFile, spawn } from "node:child_process";
import { openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { waitFor } from "./helpers.ts";

const run = promisify(execFile);
const KAFKA_DIR = new URL("../../../infra/kafka/", import.meta.url).pathname;

export interface PrivateBroker {
  address: string;
  /** Controlled shutdown (infra/kafka/stop.sh); the data directory stays. */
  stop(): Promise<void>;
  /** Starts the same broker again on its data (start.sh would wipe it, so the JVM is launched directly). */
  restart(): Promise<void>;
  /** Stops it and deletes its directory. */
  destroy(): Promise<void>;
}

/** A broker of our own on free ports, for stopping and starting without touching the shared one. */
export async function startPrivateBroker(): Promise<PrivateBroker> {
  const runDir = join(tmpdir(), `events-kafka-${process.pid}-${Date.now().toString(36)}`);
  const env = { ...process.env, KAFKA_RUN_DIR: runDir, KAFKA_HEAP_OPTS: "-Xms128m -Xmx384m" };
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
    const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
    const child = spawn(
      java,
      [
        "-Xms128m",
        "-Xmx384m",
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
    writeFileSync(join(runDir, "kafka.pid"), String(child.pid));
    await waitFor("the private broker started again", () => readFileSync(log, "utf8").includes("Kafka Server started"), 60_000);
  };
  const destroy = async (): Promise<void> => {
    await stop().catch(() => {});
    rmSync(runDir, { recursive: true, force: true });
  };
  return { address, stop, restart, destroy };
}
