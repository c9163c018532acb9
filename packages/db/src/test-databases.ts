// Throw-away, migrated databases for tests: cloned from a per-subgraph template on PostgreSQL (TEST_POSTGRES_URL),
// loaded from a cached snapshot of a migrated data dir on PGlite otherwise.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { repoRoot } from "./config.ts";
import type { Database } from "./database.ts";
import { databaseOver, openDatabase, pgliteBackend } from "./database.ts";
import { migrationsChecksum } from "./engine.ts";
import { cachedSnapshot, openPGlite, type PGlite } from "./pglite.ts";
import { databaseUrl, quoteIdent, withClient } from "./postgres.ts";
import type { QueryListener } from "./query-log.ts";

export type TestDatabase = Database & {
  name: string;
  /** PostgreSQL only: the throw-away database's URL (e.g. for a subgraph started as a separate process) */
  url?: string;
  /** closes, then drops the database */
  drop(): Promise<void>;
};

export type TestDatabaseOptions = {
  /** default <repo>/prisma/<subgraph> */
  schemaDir?: string;
  /** default process.env; TEST_POSTGRES_URL (an admin connection) selects PostgreSQL */
  env?: Record<string, string | undefined>;
  /** instead of storefront_test_<subgraph>_<random>; must contain "_test" */
  name?: string;
  onQuery?: QueryListener;
  /** PostgreSQL connections in the client pool (default 5: many test databases share one server) */
  poolSize?: number;
};

// Tests never touch a database that is not named for tests.
export function assertTestDatabaseName(name: string): void {
  if (!name.includes("_test")) throw new Error(`refusing to touch database "${name}": test database names must contain "_test"`);
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`invalid test database name "${name}": use a-z, 0-9 and _ (at most 63)`);
}

function subgraphSlug(subgraph: string): string {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(subgraph)) throw new Error(`invalid subgraph name "${subgraph}"`);
  return subgraph;
}

export const templateName = (subgraph: string) => `storefront_test_${subgraphSlug(subgraph)}_template`;
const randomName = (subgraph: string) => `storefront_test_${subgraphSlug(subgraph)}_${randomBytes(4).toString("hex")}`;
const templateComment = (checksum: string) => `storefront test template; migrations sha256 ${checksum}`;
const lockKey = (subgraph: string) => `storefront_test_template:${subgraph}`;

// Cloners hold the subgraph's lock shared (a template is not rebuilt under them), a rebuild holds it exclusively.
async function cloneFromTemplate(adminUrl: string, subgraph: string, schemaDir: string, name: string): Promise<void> {
  const template = templateName(subgraph);
  const comment = templateComment(migrationsChecksum(schemaDir));
  await withClient(adminUrl, async (admin) => {
    for (let attempt = 0; ; attempt++) {
      await admin.query("SELECT pg_advisory_lock_shared(hashtext($1))", [lockKey(subgraph)]);
      try {
        if ((await currentTemplateComment(admin, template)) === comment) {
          await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
          return;
        }
      } finally {
        await admin.query("SELECT pg_advisory_unlock_shared(hashtext($1))", [lockKey(subgraph)]);
      }
      if (attempt > 0) throw new Error(`template ${template} was rebuilt with other migrations meanwhile`);
      await rebuildTemplate(admin, adminUrl, subgraph, schemaDir);
    }
  });
}

type Admin = { query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };

async function currentTemplateComment(admin: Admin, template: string): Promise<string | null> {
  const { rows } = await admin.query("SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1", [
    template,
  ]);
  return (rows[0]?.comment as string | null | undefined) ?? null;
}

// (Re)creates the template unless its comment carries the current migrations' checksum.
async function rebuildTemplate(admin: Admin, adminUrl: string, subgraph: string, schemaDir: string): Promise<void> {
  const template = templateName(subgraph);
  assertTestDatabaseName(template);
  const comment = templateComment(migrationsChecksum(schemaDir));
  await admin.query("SELECT pg_advisory_lock(hashtext($1))", [lockKey(subgraph)]);
  try {
    // another process may have rebuilt it while we waited for the lock
    if ((await currentTemplateComment(admin, template)) === comment) return;
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(template)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoteIdent(template)}`);
    const database = await openDatabase({ kind: "postgres", url: databaseUrl(adminUrl, template) }, { schemaDir, poolSize: 1 });
    try {
      await database.migrate();
    } finally {
      await database.close();
    }
    // written last: a template whose migration failed halfway is rebuilt next time
    await admin.query(`COMMENT ON DATABASE ${quoteIdent(template)} IS '${comment}'`);
  } finally {
    await admin.query("SELECT pg_advisory_unlock(hashtext($1))", [lockKey(subgraph)]);
  }
}

// A migrated in-memory PGlite, dumped once per migration history.
function migratedSnapshot(subgraph: string, schemaDir: string): Promise<Blob> {
  return cachedSnapshot(`${subgraphSlug(subgraph)}-${migrationsChecksum(schemaDir).slice(0, 16)}`, async () => {
    const pglite = await openPGlite("memory://");
    const database = databaseOver(pgliteBackend(pglite), { schemaDir });
    try {
      await database.migrate();
      return await pglite.dumpDataDir("gzip");
    } finally {
      await database.close();
    }
  });
}

const defaultSchemaDir = (subgraph: string) => path.join(repoRoot, "prisma", subgraph);

export async function createTestDatabase(subgraph: string, options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const { schemaDir = defaultSchemaDir(subgraph), env = process.env } = options;
  const name = options.name ?? randomName(subgraph);
  assertTestDatabaseName(name);
  const adminUrl = env.TEST_POSTGRES_URL;
  if (adminUrl) {
    await cloneFromTemplate(adminUrl, subgraph, schemaDir, name);
    const url = databaseUrl(adminUrl, name);
    const database = await openDatabase(
      { kind: "postgres", url },
      { schemaDir, onQuery: options.onQuery, poolSize: options.poolSize ?? 5 },
    );
    // the same object, not a copy: migrationStatus(testDatabase) etc. look it up
    return Object.assign(database, {
      name,
      url,
      drop: async () => {
        await database.close();
        await dropTestDatabase(adminUrl, name);
      },
    });
  }
  const pglite = await openPGlite("memory://", await migratedSnapshot(subgraph, schemaDir));
  const database = databaseOver(pgliteBackend(pglite), { schemaDir, onQuery: options.onQuery });
  return Object.assign(database, { name, drop: () => database.close() });
}

/**
 * PGlite: fills `dataDir` (missing or empty) with a migrated copy of the subgraph's database, for a subgraph started as
 * its own process with PGLITE_DIR: like a clone of the PostgreSQL template, it spares every process its own migration run.
 */
export async function createTestDataDir(subgraph: string, dataDir: string, options: { schemaDir?: string } = {}): Promise<void> {
  const { schemaDir = defaultSchemaDir(subgraph) } = options;
  const pglite = await openPGlite(dataDir, await migratedSnapshot(subgraph, schemaDir));
  await pglite.close();
}

/** An empty in-memory PGlite, loaded from the cached empty-cluster snapshot (no initdb), for tests that create their own tables. */
export function createScratchPGlite(): Promise<PGlite> {
  return openPGlite("memory://");
}

/** Drops a test database (connections are terminated first: WITH (FORCE)). */
export async function dropTestDatabase(adminUrl: string, name: string): Promise<void> {
  assertTestDatabaseName(name);
  await withClient(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

export type PreparedTemplate = { subgraph: string; backend: "postgres" | "pglite"; ms: number };

/** Migrates every subgraph's template once (PostgreSQL) or caches its snapshot (PGlite), before tests run in parallel. */
export async function prepareTestTemplates(
  subgraphs: string[],
  options: { schemaDirFor?: (subgraph: string) => string; env?: Record<string, string | undefined> } = {},
): Promise<PreparedTemplate[]> {
  const { env = process.env, schemaDirFor = defaultSchemaDir } = options;
  const adminUrl = env.TEST_POSTGRES_URL;
  return Promise.all(
    subgraphs.map(async (subgraph) => {
      const started = performance.now();
      const schemaDir = schemaDirFor(subgraph);
      if (adminUrl) await withClient(adminUrl, (admin) => rebuildTemplate(admin, adminUrl, subgraph, schemaDir));
      else await migratedSnapshot(subgraph, schemaDir);
      return { subgraph, backend: adminUrl ? "postgres" : "pglite", ms: Math.round(performance.now() - started) } as const;
    }),
  );
}
