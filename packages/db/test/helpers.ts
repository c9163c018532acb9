// Fixtures: a throw-away Prisma schema + migrations folder, and empty PostgreSQL databases named for tests.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { migrationLockToml } from "../src/engine.ts";
import { snapshotDir } from "../src/pglite.ts";

// The run's PostgreSQL server (an admin connection), never a default address; "" when the run has none.
export const adminUrl = process.env.TEST_POSTGRES_URL ?? "";

// PostgreSQL suites run when the run has a server that answers, and say why when they skip.
export const postgresSkip: string | false = await (async () => {
  if (!adminUrl) return "needs PostgreSQL (TEST_POSTGRES_URL)";
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return false;
  } catch (error) {
    return `no PostgreSQL at ${adminUrl}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
})();

export const randomSuffix = () => randomBytes(4).toString("hex");
export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export const schemaV1 = `datasource db {
  provider = "postgresql"
}

model Product {
  id   Int    @id @default(autoincrement())
  sku  String @unique
  name String
}
`;

export const schemaV2 = `datasource db {
  provider = "postgresql"
}

model Category {
  id       Int       @id @default(autoincrement())
  slug     String    @unique
  products Product[]
}

model Product {
  id         Int       @id @default(autoincrement())
  sku        String    @unique
  name       String
  priceCents Int       @default(0) @map("price_cents")
  categoryId Int?      @map("category_id")
  category   Category? @relation(fields: [categoryId], references: [id])

  @@index([categoryId])
}
`;

// What the engine generates for schemaV1 from nothing, and then for schemaV1 -> schemaV2.
export const initSql = `-- CreateTable
CREATE TABLE "Product" (
    "id" SERIAL NOT NULL,
    "sku" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "Product_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Product_sku_key" ON "Product"("sku");
`;

export const addCategoriesSql = `-- AlterTable
ALTER TABLE "Product" ADD COLUMN     "category_id" INTEGER,
ADD COLUMN     "price_cents" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Category" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,

    CONSTRAINT "Category_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Category_slug_key" ON "Category"("slug");

-- CreateIndex
CREATE INDEX "Product_category_id_idx" ON "Product"("category_id");

-- AddForeignKey
ALTER TABLE "Product" ADD CONSTRAINT "Product_category_id_fkey" FOREIGN KEY ("category_id") REFERENCES "Category"("id") ON DELETE SET NULL ON UPDATE CASCADE;
`;

export type SchemaDirFixture = {
  dir: string;
  writeSchema(text: string): void;
  addMigration(name: string, sql: string): string;
  migrationPath(name: string): string;
  remove(): void;
};

/** A prisma/<subgraph>-like folder: schema.prisma, migrations/migration_lock.toml and the given migrations. */
export function schemaDirFixture(options: { schema?: string; migrations?: [string, string][]; parent?: string } = {}): SchemaDirFixture {
  const parent = options.parent ?? os.tmpdir();
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, "storefront-db-test-"));
  const migrations = path.join(dir, "migrations");
  fs.mkdirSync(migrations);
  fs.writeFileSync(path.join(migrations, "migration_lock.toml"), migrationLockToml);
  const fixture: SchemaDirFixture = {
    dir,
    writeSchema: (text) => fs.writeFileSync(path.join(dir, "schema.prisma"), text),
    addMigration: (name, sql) => {
      fs.mkdirSync(path.join(migrations, name));
      fs.writeFileSync(fixture.migrationPath(name), sql);
      return name;
    },
    migrationPath: (name) => path.join(migrations, name, "migration.sql"),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
  fixture.writeSchema(options.schema ?? schemaV1);
  for (const [name, sql] of options.migrations ?? [["20260101000000_init", initSql]]) fixture.addMigration(name, sql);
  return fixture;
}

export async function adminQuery<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Row[];
  } finally {
    await client.end();
  }
}

export const databaseExists = async (name: string) =>
  (await adminQuery("SELECT 1 FROM pg_database WHERE datname = $1", [name])).length === 1;

/** An empty database storefront_db_test_<random> and its URL. */
export async function emptyPostgresDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `storefront_db_test_${randomSuffix()}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: async () => void (await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)) };
}

export type Backend = "postgres" | "pglite";
export const backends: Backend[] = ["postgres", "pglite"];
export const skipFor = (backend: Backend) => (backend === "postgres" ? postgresSkip : false);

/** Removes the cached PGlite snapshots of a test's own subgraph name. */
export function removeSnapshots(subgraph: string): void {
  for (const file of fs.existsSync(snapshotDir) ? fs.readdirSync(snapshotDir) : []) {
    if (file.startsWith(`${subgraph}-`)) fs.rmSync(path.join(snapshotDir, file), { force: true });
  }
}
