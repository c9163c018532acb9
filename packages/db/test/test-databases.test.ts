// Throw-away test databases: template clones on PostgreSQL, snapshot loads on PGlite, and the "_test" name rule.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import type { Database } from "../src/index.ts";
import {
  assertTestDatabaseName,
  createScratchPGlite,
  createTestDatabase,
  createTestDataDir,
  dropTestDatabase,
  migrationStatus,
  openDatabase,
  prepareTestTemplates,
  templateName,
} from "../src/index.ts";
import {
  addCategoriesSql,
  adminQuery,
  adminUrl,
  databaseExists,
  postgresSkip,
  randomSuffix,
  removeSnapshots,
  schemaDirFixture,
  schemaV2,
} from "./helpers.ts";

// a subgraph name of our own: the real subgraphs' templates are left alone
const subgraph = `dbtest${randomSuffix()}`;
const fixture = schemaDirFixture();
const postgresEnv = { TEST_POSTGRES_URL: adminUrl };
const pgliteEnv = {};

after(async () => {
  fixture.remove();
  if (!postgresSkip) await dropTestDatabase(adminUrl, templateName(subgraph));
  removeSnapshots(subgraph);
});

const productCount = async (database: Database) =>
  Number((await database.query<{ n: string }>('SELECT count(*) AS n FROM "Product"'))[0]?.n);

describe("the _test name rule", () => {
  test("names without _test are refused before anything is touched", async () => {
    assert.throws(() => assertTestDatabaseName("storefront_catalog"), /must contain "_test"/);
    assert.throws(() => assertTestDatabaseName("postgres"), /must contain "_test"/);
    assert.doesNotThrow(() => assertTestDatabaseName("storefront_test_catalog_1a2b3c4d"));
    await assert.rejects(createTestDatabase(subgraph, { schemaDir: fixture.dir, env: pgliteEnv, name: "catalog" }), /must contain "_test"/);
    await assert.rejects(
      createTestDatabase(subgraph, { schemaDir: fixture.dir, env: postgresEnv, name: "storefront_catalog" }),
      /must contain "_test"/,
    );
    await assert.rejects(dropTestDatabase(adminUrl, "postgres"), /must contain "_test"/);
    await assert.rejects(createTestDatabase("Bad-Name", { schemaDir: fixture.dir, env: pgliteEnv }), /invalid subgraph name/);
  });
});

describe("test databases on PostgreSQL", { skip: postgresSkip }, () => {
  test("concurrent calls clone one migrated template into separate databases, and drop() removes them", async (t) => {
    const started = performance.now();
    const [first, second] = await Promise.all([
      createTestDatabase(subgraph, { schemaDir: fixture.dir, env: postgresEnv }),
      createTestDatabase(subgraph, { schemaDir: fixture.dir, env: postgresEnv }),
    ]);
    t.diagnostic(`two test databases (template built on the way) in ${Math.round(performance.now() - started)} ms`);
    try {
      for (const database of [first, second]) {
        assert.match(database.name, new RegExp(`^storefront_test_${subgraph}_[0-9a-f]{8}$`));
        assert.equal(database.kind, "postgres");
        assert.equal(new URL(database.url ?? "").pathname, `/${database.name}`);
        assert.equal(await productCount(database), 0);
        assert.deepEqual(await database.migrate(), { applied: [] }, "cloned with its migrations applied");
      }
      assert.notEqual(first.name, second.name);
      await first.query(`INSERT INTO "Product" ("sku", "name") VALUES ('only-in-first', 'x')`);
      assert.equal(await productCount(second), 0, "the clones are independent");
      const [template] = await adminQuery<{ comment: string }>(
        "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
        [templateName(subgraph)],
      );
      assert.match(template?.comment ?? "", /migrations sha256 [0-9a-f]{64}/);
    } finally {
      await Promise.all([first.drop(), second.drop()]);
    }
    assert.equal(await databaseExists(first.name), false);
    assert.equal(await databaseExists(second.name), false);
  });

  test("a clone takes a fraction of a migration; new migrations rebuild the template", async (t) => {
    await prepareTestTemplates([subgraph], { schemaDirFor: () => fixture.dir, env: postgresEnv });
    const started = performance.now();
    const clone = await createTestDatabase(subgraph, { schemaDir: fixture.dir, env: postgresEnv });
    t.diagnostic(`clone from an up-to-date template: ${Math.round(performance.now() - started)} ms`);
    await clone.drop();

    const changed = schemaDirFixture({
      schema: schemaV2,
      migrations: [
        ["20260101000000_init", fs.readFileSync(fixture.migrationPath("20260101000000_init"), "utf8")],
        ["20260102000000_add_categories", addCategoriesSql],
      ],
    });
    try {
      const database = await createTestDatabase(subgraph, { schemaDir: changed.dir, env: postgresEnv });
      try {
        assert.deepEqual((await migrationStatus(database, { schemaDir: changed.dir })).migrations, [
          "20260101000000_init",
          "20260102000000_add_categories",
        ]);
        assert.equal((await migrationStatus(database, { schemaDir: changed.dir })).upToDate, true);
        assert.deepEqual(await database.query('SELECT count(*)::int AS n FROM "Category"'), [{ n: 0 }]);
      } finally {
        await database.drop();
      }
    } finally {
      changed.remove();
    }
  });
});

describe("test databases on PGlite (no TEST_POSTGRES_URL)", () => {
  test("concurrent calls give separate migrated in-memory databases", async (t) => {
    await prepareTestTemplates([subgraph], { schemaDirFor: () => fixture.dir, env: pgliteEnv });
    const started = performance.now();
    const [first, second] = await Promise.all([
      createTestDatabase(subgraph, { schemaDir: fixture.dir, env: pgliteEnv }),
      createTestDatabase(subgraph, { schemaDir: fixture.dir, env: pgliteEnv }),
    ]);
    t.diagnostic(`two PGlite test databases from the snapshot in ${Math.round(performance.now() - started)} ms`);
    try {
      assert.equal(first.kind, "pglite");
      assert.equal(first.url, undefined);
      assert.notEqual(first.name, second.name);
      assert.match(first.name, /_test_/);
      assert.deepEqual(await first.migrate(), { applied: [] });
      assert.equal((await migrationStatus(first, { schemaDir: fixture.dir })).upToDate, true);
      await first.query(`INSERT INTO "Product" ("sku", "name") VALUES ('only-in-first', 'x')`);
      assert.equal(await productCount(first), 1);
      assert.equal(await productCount(second), 0);
    } finally {
      await Promise.all([first.drop(), second.drop()]);
    }
    await assert.rejects(first.query("SELECT 1"), /closed/i);
  });

  test("a data dir for a subgraph process opens migrated, with nothing left to apply, and holds its own data", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storefront-db-test-datadir-"));
    try {
      await createTestDataDir(subgraph, dir, { schemaDir: fixture.dir });
      const database = await openDatabase({ kind: "pglite", dataDir: dir }, { schemaDir: fixture.dir });
      try {
        assert.deepEqual(await database.migrate(), { applied: [] });
        await database.query(`INSERT INTO "Product" ("sku", "name") VALUES ('kept-in-the-dir', 'x')`);
      } finally {
        await database.close();
      }
      const reopened = await openDatabase({ kind: "pglite", dataDir: dir }, { schemaDir: fixture.dir });
      try {
        assert.equal(await productCount(reopened), 1);
      } finally {
        await reopened.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a scratch PGlite is an empty database, ready for a test's own tables", async () => {
    const pglite = await createScratchPGlite();
    try {
      const { rows } = await pglite.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
      assert.deepEqual(rows, [{ n: 0 }]);
      await pglite.exec("CREATE TABLE note (id int PRIMARY KEY)");
    } finally {
      await pglite.close();
    }
  });
});
