import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, createTestDataDir } from "@storefront/db";
import { generateServiceSecrets, serviceSecretsEnv } from "@storefront/runtime";
import { freePort } from "./ports.ts";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly output: string[];
  /** How it was started, to start it again the same way (restart). */
  readonly script: string;
  readonly env: Record<string, string | undefined>;
  readonly readyUrl: string;
  /** Set when the kit stops it; an exit without it is a crash, and its output goes to the test's stderr. */
  stopping: boolean;
}

/** Variables set to undefined are removed from the child's environment (spawn would pass the string "undefined"). */
function startProcess(name: string, script: string, env: Record<string, string | undefined>, readyUrl: string): ServiceProcess {
  const merged = { ...process.env, NODE_ENV: "test", LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "warn", ...env };
  const child = spawn(process.execPath, [path.join(repoRoot, script)], {
    cwd: repoRoot,
    env: Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const service: ServiceProcess = { name, child, output, script, env, readyUrl, stopping: false };
  // A test that fails because a service died shows only the router's "cannot be reached": say which one died, and why.
  child.once("exit", (code, signal) => {
    if (service.stopping || code === 0 || signal === "SIGKILL" || signal === "SIGTERM") return;
    process.stderr.write(`\n${name} (pid ${child.pid}) exited by itself with ${code ?? signal}; its last output:\n${output.join("")}\n`);
  });
  return service;
}

async function waitUntilReady(service: ServiceProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null)
      throw new Error(`${service.name} exited with ${service.child.exitCode}:\n${service.output.join("")}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok && service.child.exitCode === null) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${service.name} was not ready within ${timeoutMs} ms:\n${service.output.join("")}`);
}

async function stopProcess(service: ServiceProcess): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.stopping = true;
  const exited = new Promise<void>((resolve) => service.child.once("exit", () => resolve()));
  service.child.kill("SIGTERM");
  const timer = setTimeout(() => service.child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface SupergraphProcesses {
  readonly routerUrl: string;
  readonly subgraphUrls: Record<string, string>;
  /** Each subgraph's PostgreSQL database URL (only when the run has PostgreSQL: TEST_POSTGRES_URL). */
  readonly databaseUrls: Record<string, string>;
  /** Recent output of a service, for failure messages. */
  output(name: string): string;
  /** The process of a service, to signal it (freeze a subgraph, drain the router) and watch it exit. */
  child(name: string): ChildProcess;
  /**
   * Starts a service again as it was started (same port, database and environment) and waits until it is ready; a
   * process still running is stopped first (SIGTERM). For a service killed by a test, to see what it does on restart.
   */
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the given subgraphs and the router as separate processes, the distributed way: each
 * subgraph on its own throw-away, migrated test database (PostgreSQL when TEST_POSTGRES_URL is set,
 * a PGlite directory otherwise) and on Kafka when KAFKA_BROKERS is set.
 */
export async function startSupergraphProcesses(options: {
  subgraphs: readonly string[];
  seedDemo?: boolean;
  /** Extra environment for every process; a variable set to undefined is removed. */
  env?: Record<string, string | undefined>;
}): Promise<SupergraphProcesses> {
  const services: ServiceProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  const subgraphUrls: Record<string, string> = {};
  const databaseUrls: Record<string, string> = {};
  const stop = async () => {
    await Promise.all(services.map(stopProcess));
    for (const cleanup of cleanups) await cleanup();
  };
  try {
    const ports = Object.fromEntries(await Promise.all(options.subgraphs.map(async (name) => [name, await freePort()] as const)));
    const urlEnv = Object.fromEntries(
      options.subgraphs.map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${ports[name]}/graphql`]),
    );
    // Each run makes its own service client secrets; every subgraph gets them as docker-compose hands them out.
    const secretEnv = serviceSecretsEnv(generateServiceSecrets());
    await Promise.all(
      options.subgraphs.map(async (name) => {
        const database: Record<string, string> = {};
        if (process.env.TEST_POSTGRES_URL) {
          const db = await createTestDatabase(name, { schemaDir: path.join(repoRoot, "prisma", name) });
          cleanups.push(() => db.drop());
          await db.close();
          if (!db.url) throw new Error("a PostgreSQL test database has a url");
          database.DATABASE_URL = db.url;
          databaseUrls[name] = db.url;
        } else {
          const dir = mkdtempSync(path.join(tmpdir(), `storefront-test-${name}-`));
          cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
          // migrated already, like a clone of the PostgreSQL template: six processes migrating at once is slow
          await createTestDataDir(name, dir, { schemaDir: path.join(repoRoot, "prisma", name) });
          database.PGLITE_DIR = dir;
        }
        const readyUrl = `http://127.0.0.1:${ports[name]}/ready`;
        const service = startProcess(
          name,
          `subgraphs/${name}/src/main.ts`,
          {
            ...urlEnv,
            ...secretEnv,
            ...database,
            ...options.env,
            PORT: String(ports[name]),
            SEED_DEMO: options.seedDemo === false ? "false" : "true",
            MIGRATE_ON_START: "true",
          },
          readyUrl,
        );
        services.push(service);
        subgraphUrls[name] = `http://127.0.0.1:${ports[name]}/graphql`;
        await waitUntilReady(service, readyUrl, 90_000);
      }),
    );
    const routerPort = await freePort();
    const routerReadyUrl = `http://127.0.0.1:${routerPort}/ready`;
    const router = startProcess("router", "router/src/main.ts", { ...urlEnv, ...options.env, PORT: String(routerPort) }, routerReadyUrl);
    services.push(router);
    await waitUntilReady(router, routerReadyUrl, 60_000);
    return {
      routerUrl: `http://127.0.0.1:${routerPort}/graphql`,
      subgraphUrls,
      databaseUrls,
      output: (name) => services.find((s) => s.name === name)?.output.join("") ?? "",
      child(name) {
        const service = services.find((s) => s.name === name);
        if (!service) throw new Error(`no service named ${name}`);
        return service.child;
      },
      async restart(name) {
        const index = services.findIndex((s) => s.name === name);
        const old = services[index];
        if (!old) throw new Error(`no service named ${name}`);
        await stopProcess(old);
        const started = startProcess(old.name, old.script, old.env, old.readyUrl);
        services[index] = started;
        await waitUntilReady(started, started.readyUrl, 90_000);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Sends one GraphQL request over HTTP and returns the parsed body with the status. */
export async function graphqlRequest<Data = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
  operationName?: string,
): Promise<{
  status: number;
  headers: Headers;
  body: { data?: Data | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as never };
}
