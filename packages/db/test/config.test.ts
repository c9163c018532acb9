// Which database a subgraph uses, migration names, and the CLI's answers to a wrong command line.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { databaseConfigFromEnv, defaultDataDir, migrationSlug } from "../src/index.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

test("DATABASE_URL wins over PGLITE_DIR, which wins over the embedded default", () => {
  const url = "postgresql://postgres@127.0.0.1:5432/storefront_catalog";
  assert.deepEqual(databaseConfigFromEnv({ DATABASE_URL: url, PGLITE_DIR: "/tmp/x" }, "catalog"), { kind: "postgres", url });
  assert.deepEqual(databaseConfigFromEnv({ PGLITE_DIR: "memory://" }, "catalog"), { kind: "pglite", dataDir: "memory://" });
  assert.deepEqual(databaseConfigFromEnv({}, "catalog"), { kind: "pglite", dataDir: path.join(repoRoot, ".data", "catalog") });
  assert.equal(defaultDataDir("orders"), path.join(repoRoot, ".data", "orders"));
});

test("migration names are slugged like the Prisma CLI does", () => {
  assert.equal(migrationSlug("Add categories!"), "add_categories");
  assert.equal(migrationSlug("  init  "), "init");
  assert.throws(() => migrationSlug("!!!"), /invalid migration name/);
});

test("the CLI exits non-zero with one clear line on a wrong command line", () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(repoRoot, "scripts", "prisma.ts"), ...args], { encoding: "utf8" });
  const unknown = run("deploy", "no_such_subgraph");
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr.split("\n")[0] ?? "", /^error: unknown subgraph "no_such_subgraph"/);
  const missingName = run("dev", "catalog");
  assert.equal(missingName.status, 1);
  assert.match(missingName.stderr, /^error: dev needs <subgraph> <name>/);
  assert.equal(run("frobnicate").status, 1);
  assert.equal(run("help").status, 0);
});
