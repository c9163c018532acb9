// A subgraph process started with NODE_ENV=production: demo data (accounts with public passwords) only when forced.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { demoProducts } from "@storefront/demo-data";
import { freePort, graphqlRequest } from "@storefront/testkit";

const repoRoot = path.resolve(import.meta.dirname, "../..");

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** The catalog subgraph as its own process, on a PGlite directory, in production mode plus `env`. */
function startCatalog(dataDir: string, env: Record<string, string>): Started {
  // Events stay in the process and the database is the PGlite directory, whatever the test runner configured.
  const { KAFKA_BROKERS: _kafka, DATABASE_URL: _database, ...inherited } = process.env;
  const child = spawn(process.execPath, [path.join(repoRoot, "subgraphs/catalog/src/main.ts")], {
    cwd: repoRoot,
    env: { ...inherited, NODE_ENV: "production", LOG_LEVEL: "warn", PGLITE_DIR: dataDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe("a subgraph process with NODE_ENV=production", { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const aDataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "storefront-production-start-"));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses SEED_DEMO=true, saying why and how to force it, before touching its database", async () => {
    const dataDir = aDataDir();
    const catalog = startCatalog(dataDir, { SEED_DEMO: "true", PORT: String(await freePort()) });
    children.push(catalog.child);

    assert.equal(await catalog.exited, 1);
    const lines = catalog.output().trim().split("\n");
    assert.deepEqual(lines, [
      "catalog: invalid environment:",
      "  SEED_DEMO=true with NODE_ENV=production is refused: it creates demo accounts whose passwords are public (set SEED_DEMO_IN_PRODUCTION=true to force it)",
    ]);
    assert.deepEqual(readdirSync(dataDir), [], "no database was created");
  });

  it("seeds the demo data when SEED_DEMO_IN_PRODUCTION=true forces it", async () => {
    const port = await freePort();
    const catalog = startCatalog(aDataDir(), { SEED_DEMO: "true", SEED_DEMO_IN_PRODUCTION: "true", PORT: String(port) });
    children.push(catalog.child);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 90_000;
    while (
      !(await fetch(`${url}/ready`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      assert.equal(catalog.child.exitCode, null, catalog.output());
      assert.ok(Date.now() < deadline, `not ready in time:\n${catalog.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const { body } = await graphqlRequest<{ products: { totalCount: number } }>(`${url}/graphql`, "{ products(first: 1) { totalCount } }");
    catalog.child.kill("SIGTERM");

    assert.deepEqual(body, { data: { products: { totalCount: demoProducts.length } } });
    assert.equal(await catalog.exited, 0);
  });
});
