// A generated Prisma 7 client (generated here, for a temporary schema) over Database.adapter, on both backends,
// and the query counter that later N+1 tests rely on.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { Statement, TestDatabase } from "../src/index.ts";
import { createTestDatabase, dropTestDatabase, isUniqueViolation, templateName } from "../src/index.ts";
import type { Backend } from "./helpers.ts";
import {
  addCategoriesSql,
  adminUrl,
  backends,
  initSql,
  postgresSkip,
  randomSuffix,
  removeSnapshots,
  schemaDirFixture,
  schemaV2,
  skipFor,
} from "./helpers.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const subgraph = `dbclient${randomSuffix()}`;
// inside the repo (git-ignored .cache/) so that the generated client resolves @prisma/client
const fixture = schemaDirFixture({
  parent: path.join(repoRoot, "packages", "db", ".cache"),
  schema: `generator client {
  provider            = "prisma-client"
  output              = "./generated"
  moduleFormat        = "esm"
  importFileExtension = "ts"
}

${schemaV2}`,
  migrations: [
    ["20260101000000_init", initSql],
    ["20260102000000_add_categories", addCategoriesSql],
  ],
});

// The slice of the generated client these tests use.
type Product = { id: number; sku: string; categoryId: number | null; category?: { slug: string } | null };
type Client = {
  category: { create(args: { data: { slug: string } }): Promise<{ id: number }> };
  product: {
    createMany(args: { data: { sku: string; name: string; categoryId?: number }[] }): Promise<{ count: number }>;
    create(args: { data: { sku: string; name: string } }): Promise<Product>;
    findMany(args: { take: number; orderBy: { id: "asc" }; include: { category: true } }): Promise<Product[]>;
    count(): Promise<number>;
    update(args: { where: { sku: string }; data: { name: string } }): Promise<Product>;
  };
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): Promise<number>;
  $transaction<T>(run: (tx: Client) => Promise<T>): Promise<T>;
  $disconnect(): Promise<void>;
};
let PrismaClient: new (options: { adapter: unknown }) => Client;

before(async () => {
  const started = performance.now();
  await promisify(execFile)(process.execPath, [
    path.join(repoRoot, "scripts", "prisma.ts"),
    "generate",
    "--schema",
    path.join(fixture.dir, "schema.prisma"),
  ]);
  ({ PrismaClient } = await import(pathToFileURL(path.join(fixture.dir, "generated", "client.ts")).href));
  console.log(`# prisma generate for the test schema: ${Math.round(performance.now() - started)} ms`);
});

after(async () => {
  fixture.remove();
  try {
    fs.rmdirSync(path.join(repoRoot, "packages", "db", ".cache")); // only if no other run still uses it
  } catch {}
  removeSnapshots(subgraph);
  if (!postgresSkip) await dropTestDatabase(adminUrl, templateName(subgraph));
});

const envFor = (backend: Backend) => (backend === "postgres" ? { TEST_POSTGRES_URL: adminUrl } : {});

for (const backend of backends) {
  describe(`a generated PrismaClient on ${backend}`, { skip: skipFor(backend) }, () => {
    let database: TestDatabase;
    let prisma: Client;
    const seen: Statement[] = [];
    before(async () => {
      database = await createTestDatabase(subgraph, {
        schemaDir: fixture.dir,
        env: envFor(backend),
        onQuery: (statement) => seen.push(statement),
      });
      prisma = new PrismaClient({ adapter: database.adapter });
    });
    after(async () => {
      await prisma.$disconnect();
      await database.drop();
    });

    test("runs queries through the adapter and reports each statement", async () => {
      const before = seen.length;
      const category = await prisma.category.create({ data: { slug: "shoes" } });
      const products = Array.from({ length: 50 }, (_, i) => ({ sku: `sku-${i}`, name: `Product ${i}`, categoryId: category.id }));
      assert.deepEqual(await prisma.product.createMany({ data: products }), { count: 50 });
      assert.equal(await prisma.product.count(), 50);
      assert.ok(seen.length - before >= 3, "onQuery saw the statements");
      assert.ok(seen.slice(before).some((statement) => /INSERT INTO/i.test(statement.sql)));
      // what reached the database agrees with the client
      assert.deepEqual(await database.query('SELECT count(*)::int AS n FROM "Product" WHERE "category_id" IS NOT NULL'), [{ n: 50 }]);
    });

    test("a list with its relation costs the same number of statements for 5 and for 50 rows", async () => {
      const few = await database.countQueries(() =>
        prisma.product.findMany({ take: 5, orderBy: { id: "asc" }, include: { category: true } }),
      );
      const many = await database.countQueries(() =>
        prisma.product.findMany({ take: 50, orderBy: { id: "asc" }, include: { category: true } }),
      );
      assert.equal(few.result.length, 5);
      assert.equal(many.result.length, 50);
      assert.equal(many.result[49]?.category?.slug, "shoes");
      assert.equal(many.count, few.count);
      assert.ok(many.count >= 1 && many.count <= 2, `one or two statements, not ${many.count}`);
    });

    test("an N+1 loop is visible in the count", async () => {
      const { count } = await database.countQueries(async () => {
        for (let i = 0; i < 5; i++) await prisma.product.count();
      });
      assert.equal(count, 5);
    });

    test("an interactive transaction is counted with its BEGIN and COMMIT", async () => {
      const { statements } = await database.countQueries(() =>
        prisma.$transaction(async (tx) => {
          await tx.product.create({ data: { sku: "in-tx", name: "x" } });
          return tx.product.count();
        }),
      );
      assert.equal(statements[0]?.sql, "BEGIN");
      assert.equal(statements.at(-1)?.sql, "COMMIT");
      assert.ok(statements.some((statement) => /INSERT INTO/i.test(statement.sql)));
    });

    test("a duplicate unique key is Prisma's P2002, and a unique violation", async () => {
      await assert.rejects(prisma.product.create({ data: { sku: "sku-1", name: "again" } }), (error: { code?: string }) => {
        assert.equal(error.code, "P2002");
        assert.equal(isUniqueViolation(error), true);
        return true;
      });
    });

    test("a raw statement's duplicate key is P2010, and a unique violation too; other failures are not", async () => {
      await assert.rejects(prisma.$executeRaw`INSERT INTO "Product" (sku, name) VALUES ('sku-1', 'again')`, (error: { code?: string }) => {
        assert.equal(error.code, "P2010");
        assert.equal(isUniqueViolation(error), true);
        return true;
      });
      await assert.rejects(prisma.product.update({ where: { sku: "no-such-sku" }, data: { name: "x" } }), (error: { code?: string }) => {
        assert.equal(error.code, "P2025");
        assert.equal(isUniqueViolation(error), false);
        return true;
      });
      await assert.rejects(
        prisma.$executeRaw`INSERT INTO "Product" (sku, name, category_id) VALUES ('sku-new', 'x', -1)`,
        (error: { code?: string }) => {
          assert.equal(error.code, "P2010", "a foreign key violation from a raw statement");
          assert.equal(isUniqueViolation(error), false);
          return true;
        },
      );
      assert.equal(isUniqueViolation(new Error("Unique constraint failed")), false);
    });
  });
}
