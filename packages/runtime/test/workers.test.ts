// A subgraph process on every core, in production mode: WORKERS processes on one port over one PostgreSQL database,
// the first migrating and seeding alone, /metrics with every worker's series, and SIGTERM to the primary draining
// every worker before it exits 0. Without PostgreSQL only the refusal of WORKERS over the embedded database runs.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TestDatabase } from "@storefront/db";
import { sampleValue } from "@storefront/telemetry";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const catalogMain = path.join(repoRoot, "subgraphs/catalog/src/main.ts");

/** Starts the catalog subgraph's main.ts with `env`; its JSON log lines land in `lines`. */
function startCatalog(env: Record<string, string>) {
  const lines: Record<string, unknown>[] = [];
  let stderr = "";
  const child: ChildProcess = spawn(process.execPath, [catalogMain], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "info", APOLLO_TELEMETRY_DISABLED: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split("\n");
    buffered = complete.pop() ?? "";
    for (const line of complete) if (line.startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, lines, exited, stderr: () => stderr };
}

async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a subgraph process with WORKERS", { timeout: 180_000 }, () => {
  it("refuses WORKERS above 1 over the embedded database (one process's directory): exit 1, naming DATABASE_URL", async () => {
    const catalog = startCatalog({ WORKERS: "2", PGLITE_DIR: "memory://" });
    assert.equal(await catalog.exited, 1);
    assert.match(catalog.stderr(), /WORKERS above 1 needs DATABASE_URL/);
  });

  describe("on PostgreSQL", { skip: process.env.TEST_POSTGRES_URL ? false : "needs PostgreSQL (TEST_POSTGRES_URL)" }, () => {
    let database: TestDatabase;
    let catalog: ReturnType<typeof startCatalog>;
    let url: string;

    before(async () => {
      database = await createTestDatabase("catalog", { schemaDir: path.join(repoRoot, "prisma/catalog") });
      const { createServer } = await import("node:net");
      const port = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, "127.0.0.1", () => {
          const address = server.address();
          server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
        });
      });
      url = `http://127.0.0.1:${port}/graphql`;
      catalog = startCatalog({
        WORKERS: "2",
        DATABASE_URL: database.url ?? "",
        PORT: String(port),
        SEED_DEMO: "true",
        SEED_DEMO_IN_PRODUCTION: "true",
      });
      await until(() => catalog.lines.some((line) => line.msg === "every worker serving"), "both workers serve");
    });
    after(async () => {
      if (catalog?.child.exitCode === null) catalog.child.kill("SIGKILL");
      await database?.drop();
    });

    it("serves the seeded catalog from both workers, the first having migrated and seeded before the second started", async () => {
      const ready = catalog.lines.filter((line) => line.msg === "subgraph ready").map((line) => line.worker);
      assert.deepEqual(ready, [1, 2], "worker 1 was ready before worker 2 started");
      for (let i = 0; i < 4; i++) {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: "{ products(first: 1) { totalCount } }" }),
        });
        const body = (await response.json()) as { data?: { products: { totalCount: number } } };
        assert.ok((body.data?.products.totalCount ?? 0) > 0, "the demo catalog is there");
      }
      const metrics = await (await fetch(new URL("/metrics", url))).text();
      for (const worker of ["1", "2"])
        assert.ok(sampleValue(metrics, "process_resident_memory_bytes", { worker }), `worker ${worker} reports`);
    });

    it("drains both workers on SIGTERM to the primary and exits 0", async () => {
      catalog.child.kill("SIGTERM");
      assert.equal(await catalog.exited, 0);
      const stopped = catalog.lines.filter((line) => line.msg === "shutting down").map((line) => line.worker);
      assert.deepEqual(stopped.sort(), [1, 2]);
    });
  });
});
