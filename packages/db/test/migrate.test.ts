// Prisma Migrate through the WASM engine, on real PostgreSQL and on PGlite.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import pg from "pg";
import type { Database, DatabaseConfig } from "../src/index.ts";
import { checkDrift, createMigration, deployMigrations, devMigrate, migrationStatus, openDatabase } from "../src/index.ts";
import type { Backend } from "./helpers.ts";
import {
  addCategoriesSql,
  adminQuery,
  backends,
  emptyPostgresDatabase,
  initSql,
  postgresSkip,
  schemaDirFixture,
  schemaV2,
  sha256,
  skipFor,
} from "./helpers.ts";

type MigrationRow = {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  logs: string | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
};

const cleanups: Array<() => Promise<unknown> | unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// A fresh, empty database of the given backend, opened on the fixture, closed (and dropped) after the file.
async function freshDatabase(backend: Backend, schemaDir: string): Promise<{ database: Database; config: DatabaseConfig }> {
  if (backend === "postgres") {
    const empty = await emptyPostgresDatabase();
    const config: DatabaseConfig = { kind: "postgres", url: empty.url };
    const database = await openDatabase(config, { schemaDir });
    cleanups.push(empty.drop, () => database.close());
    return { database, config };
  }
  const config: DatabaseConfig = { kind: "pglite", dataDir: "memory://" };
  const database = await openDatabase(config, { schemaDir });
  cleanups.push(() => database.close());
  return { database, config };
}

const migrationRows = (database: Database) =>
  database.query<MigrationRow>(
    "SELECT migration_name, checksum, finished_at, logs, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name",
  );

const tableExists = async (database: Database, table: string) =>
  (await database.query<{ found: string | null }>("SELECT to_regclass($1)::text AS found", [`public."${table}"`]))[0]?.found != null;

async function tableExistsAt(url: string, table: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query("SELECT to_regclass($1)::text AS found", [`public."${table}"`])).rows[0]?.found != null;
  } finally {
    await client.end();
  }
}

const shadowDatabases = async () =>
  (await adminQuery<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'")).map(
    (row) => row.datname,
  );

for (const backend of backends) {
  describe(`migrations on ${backend}`, { skip: skipFor(backend) }, () => {
    test("deploy applies each migration once and records it like the CLI", async () => {
      const fixture = schemaDirFixture();
      cleanups.push(fixture.remove);
      const { database } = await freshDatabase(backend, fixture.dir);

      assert.deepEqual(await database.migrate(), { applied: ["20260101000000_init"] });
      assert.deepEqual(await database.migrate(), { applied: [] }, "a second deploy is a no-op");
      assert.equal(await tableExists(database, "Product"), true);

      fixture.addMigration("20260102000000_add_categories", addCategoriesSql);
      assert.deepEqual(await deployMigrations(database, { schemaDir: fixture.dir }), { applied: ["20260102000000_add_categories"] });

      const rows = await migrationRows(database);
      assert.deepEqual(
        rows.map((row) => [row.migration_name, row.checksum, row.applied_steps_count, row.logs, row.rolled_back_at]),
        [
          ["20260101000000_init", sha256(initSql), 1, null, null],
          ["20260102000000_add_categories", sha256(addCategoriesSql), 1, null, null],
        ],
      );
      assert.ok(rows.every((row) => row.finished_at instanceof Date));
      const status = await migrationStatus(database, { schemaDir: fixture.dir });
      assert.equal(status.upToDate, true);
      assert.deepEqual(status.migrations, ["20260101000000_init", "20260102000000_add_categories"]);
    });

    test("status reports pending and edited migrations", async () => {
      const fixture = schemaDirFixture();
      cleanups.push(fixture.remove);
      const { database } = await freshDatabase(backend, fixture.dir);
      const fresh = await migrationStatus(database, { schemaDir: fixture.dir });
      assert.equal(fresh.hasMigrationsTable, false);
      assert.deepEqual(fresh.pending, ["20260101000000_init"]);
      assert.equal(fresh.upToDate, false);

      await database.migrate();
      fs.appendFileSync(fixture.migrationPath("20260101000000_init"), "\n-- edited after deploy\n");
      const edited = await migrationStatus(database, { schemaDir: fixture.dir });
      assert.deepEqual(edited.edited, ["20260101000000_init"]);
      assert.deepEqual(edited.pending, []);
      assert.equal(edited.upToDate, false);
    });

    test("createMigration writes the next migration folder from schema.prisma", async () => {
      const fixture = schemaDirFixture();
      cleanups.push(fixture.remove);
      const { database, config } = await freshDatabase(backend, fixture.dir);
      await database.migrate();
      const shadowsBefore = backend === "postgres" ? await shadowDatabases() : [];

      assert.deepEqual(await createMigration(config, { schemaDir: fixture.dir, name: "nothing" }), { migration: null, sql: "" });
      fixture.writeSchema(schemaV2);
      const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
      const created = await createMigration(config, { schemaDir: fixture.dir, name: "Add categories!", now });

      assert.equal(created.migration, "20260102030405_add_categories");
      assert.equal(created.sql, addCategoriesSql);
      assert.equal(fs.readFileSync(fixture.migrationPath("20260102030405_add_categories"), "utf8"), addCategoriesSql);
      assert.deepEqual(fs.readdirSync(path.join(fixture.dir, "migrations")).sort(), [
        "20260101000000_init",
        "20260102030405_add_categories",
        "migration_lock.toml",
      ]);
      if (backend === "postgres") {
        const leftover = (await shadowDatabases()).filter((name) => !shadowsBefore.includes(name));
        assert.deepEqual(leftover, [], "no shadow database is left behind");
      }
      assert.deepEqual((await database.migrate()).applied, ["20260102030405_add_categories"]);
      assert.deepEqual(await checkDrift(database, { schemaDir: fixture.dir }), { drifted: false, diff: "" });
    });

    test("checkDrift passes on a migrated database and reports a manual ALTER", async () => {
      const fixture = schemaDirFixture();
      cleanups.push(fixture.remove);
      const { database } = await freshDatabase(backend, fixture.dir);
      await database.migrate();
      assert.deepEqual(await checkDrift(database, { schemaDir: fixture.dir }), { drifted: false, diff: "" });

      await database.query('ALTER TABLE "Product" ADD COLUMN "added_by_hand" TEXT');
      const drift = await checkDrift(database, { schemaDir: fixture.dir });
      assert.equal(drift.drifted, true);
      assert.match(drift.diff, /Changed the `Product` table/);
      assert.match(drift.diff, /Removed column `added_by_hand`/);

      await assert.rejects(devMigrate(database, { schemaDir: fixture.dir, name: "more" }), /refusing to reset the database.*[Dd]rift/s);
    });

    test("checkDrift reads CHECK constraints a migration added by hand (Prisma cannot express them)", async () => {
      const fixture = schemaDirFixture();
      cleanups.push(fixture.remove);
      fixture.addMigration(
        "20260103000000_price_check",
        'ALTER TABLE "Product" ADD CONSTRAINT "product_name_not_empty" CHECK (length("name") > 0);\n',
      );
      const { database } = await freshDatabase(backend, fixture.dir);
      await database.migrate();
      assert.deepEqual(await checkDrift(database, { schemaDir: fixture.dir }), { drifted: false, diff: "" });
      await assert.rejects(database.query('INSERT INTO "Product" ("sku", "name") VALUES (\'x\', \'\')'), /product_name_not_empty/);
    });

    test("a failing migration is recorded as failed, rolled back, and blocks further deploys", async () => {
      const fixture = schemaDirFixture();
      cleanups.push(fixture.remove);
      const { database } = await freshDatabase(backend, fixture.dir);
      await database.migrate();
      fixture.addMigration("20260102000000_broken", 'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT 1/0;\n');

      await assert.rejects(database.migrate(), /20260102000000_broken/);
      const broken = (await migrationRows(database)).find((row) => row.migration_name === "20260102000000_broken");
      assert.ok(broken, "the failed migration has a row");
      assert.equal(broken.finished_at, null);
      assert.equal(broken.applied_steps_count, 0);
      assert.match(broken.logs ?? "", /division by zero/);
      assert.equal(await tableExists(database, "half_done"), false, "the script ran in one transaction");
      assert.deepEqual((await migrationStatus(database, { schemaDir: fixture.dir })).failed, ["20260102000000_broken"]);

      await assert.rejects(database.migrate(), /failed migrations|20260102000000_broken/);
      await assert.rejects(devMigrate(database, { schemaDir: fixture.dir, name: "next" }), /refusing to reset/);
    });

    test("a migration script is sent whole: semicolons inside strings and function bodies survive", async () => {
      const fixture = schemaDirFixture();
      cleanups.push(fixture.remove);
      const { database } = await freshDatabase(backend, fixture.dir);
      fixture.addMigration(
        "20260102000000_seed",
        `INSERT INTO "Product" ("sku", "name") VALUES ('semi;colon', 'a; b');
CREATE FUNCTION product_count() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT count(*) FROM "Product");
END;
$$;
`,
      );
      assert.deepEqual((await database.migrate()).applied, ["20260101000000_init", "20260102000000_seed"]);
      assert.deepEqual(await database.query('SELECT sku, name, product_count()::int AS n FROM "Product"'), [
        { sku: "semi;colon", name: "a; b", n: 1 },
      ]);
    });

    test("devMigrate creates and applies a migration, then finds nothing to do", async () => {
      const fixture = schemaDirFixture();
      cleanups.push(fixture.remove);
      const { database } = await freshDatabase(backend, fixture.dir);
      await database.migrate();
      fixture.writeSchema(schemaV2);
      const first = await devMigrate(database, { schemaDir: fixture.dir, name: "categories", now: new Date(Date.UTC(2026, 0, 3)) });
      assert.equal(first.migration, "20260103000000_categories");
      assert.deepEqual(first.applied, ["20260103000000_categories"]);
      assert.equal(await tableExists(database, "Category"), true);
      const second = await devMigrate(database, { schemaDir: fixture.dir, name: "again" });
      assert.deepEqual(second, { migration: null, sql: "", applied: [] });
    });
  });
}

// A child process: deploys the fixture and prints what it applied. It never calls process.exit, so it also
// proves that nothing (pools, PGlite, the engine's timers) keeps a library user alive.
function deployInChild(config: DatabaseConfig, schemaDir: string): Promise<{ code: number | null; ms: number; out: string; err: string }> {
  const script = `
    import { openDatabase } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)};
    const database = await openDatabase(${JSON.stringify(config)}, { schemaDir: ${JSON.stringify(schemaDir)} });
    try { console.log(JSON.stringify(await database.migrate())); } finally { await database.close(); }
  `;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, ms: performance.now() - started, out, err }));
  });
}

describe("deploy from several processes", () => {
  test("two processes deploying one PostgreSQL database at once apply each migration once", { skip: postgresSkip }, async (t) => {
    const fixture = schemaDirFixture();
    cleanups.push(fixture.remove);
    // slow enough that the second process arrives while the first one holds the lock
    fixture.addMigration("20260102000000_slow", 'SELECT pg_sleep(1.5);\nCREATE TABLE "after_sleep" ("id" INTEGER);\n');
    const empty = await emptyPostgresDatabase();
    cleanups.push(empty.drop);
    const config: DatabaseConfig = { kind: "postgres", url: empty.url };

    const runs = await Promise.all([deployInChild(config, fixture.dir), deployInChild(config, fixture.dir)]);
    t.diagnostic(`child processes took ${runs.map((run) => Math.round(run.ms)).join(" ms, ")} ms`);
    assert.deepEqual(
      runs.map((run) => [run.code, run.err]),
      [
        [0, ""],
        [0, ""],
      ],
    );
    const applied = runs.map((run) => (JSON.parse(run.out) as { applied: string[] }).applied);
    assert.deepEqual(
      applied.flat().sort(),
      ["20260101000000_init", "20260102000000_slow"],
      "every migration applied by exactly one process",
    );
    assert.ok(
      applied.some((names) => names.length === 0),
      "the second process found nothing left to do",
    );
    assert.ok(
      runs.every((run) => run.ms < 8000),
      "the engine's 10 s lock timer does not keep the processes alive",
    );
    const database = await openDatabase(config, { schemaDir: fixture.dir });
    cleanups.push(() => database.close());
    const rows = await migrationRows(database);
    assert.deepEqual(
      rows.map((row) => [row.migration_name, row.finished_at instanceof Date]),
      [
        ["20260101000000_init", true],
        ["20260102000000_slow", true],
      ],
    );
  });

  test("deploy waits for Prisma's advisory lock, as the CLI does", { skip: postgresSkip }, async (t) => {
    const fixture = schemaDirFixture();
    cleanups.push(fixture.remove);
    const empty = await emptyPostgresDatabase();
    cleanups.push(empty.drop);
    const holder = new pg.Client({ connectionString: empty.url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query("SELECT pg_advisory_lock(72707369)"); // the key `prisma migrate` locks
    const database = await openDatabase({ kind: "postgres", url: empty.url }, { schemaDir: fixture.dir });
    cleanups.push(() => database.close());

    const started = performance.now();
    const deploying = database.migrate();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await tableExistsAt(empty.url, "Product"), false, "nothing applied while another migrator holds the lock");
    await holder.query("SELECT pg_advisory_unlock(72707369)");
    assert.deepEqual(await deploying, { applied: ["20260101000000_init"] });
    t.diagnostic(`deploy waited ${Math.round(performance.now() - started)} ms`);
    assert.ok(performance.now() - started >= 1000);
  });

  test("a PGlite data dir has one opener at a time", async () => {
    const fixture = schemaDirFixture();
    cleanups.push(fixture.remove);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "storefront-db-pglite-"));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const config: DatabaseConfig = { kind: "pglite", dataDir: path.join(dataDir, "catalog") };
    const first = await openDatabase(config, { schemaDir: fixture.dir });
    await assert.rejects(openDatabase(config, { schemaDir: fixture.dir }), /already open in this process/);
    const other = await deployInChild(config, fixture.dir);
    assert.notEqual(other.code, 0, "another process is refused too");
    assert.match(other.err, new RegExp(`already open in process ${process.pid}`));
    await first.close();
    const again = await openDatabase(config, { schemaDir: fixture.dir });
    assert.deepEqual(await again.migrate(), { applied: ["20260101000000_init"] });
    await again.close();
  });

  test("deploy on a fresh PGlite directory, then again after reopening it", async (t) => {
    const fixture = schemaDirFixture();
    cleanups.push(fixture.remove);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "storefront-db-pglite-"));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const config: DatabaseConfig = { kind: "pglite", dataDir: path.join(dataDir, "catalog") };

    const first = await deployInChild(config, fixture.dir);
    assert.equal(first.code, 0);
    assert.deepEqual(JSON.parse(first.out), { applied: ["20260101000000_init"] });
    const second = await deployInChild(config, fixture.dir);
    assert.equal(second.code, 0);
    assert.deepEqual(JSON.parse(second.out), { applied: [] });
    t.diagnostic(`fresh PGlite dir: deploy process ${Math.round(first.ms)} ms; reopened: ${Math.round(second.ms)} ms`);
  });
});
