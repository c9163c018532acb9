// One subgraph's database: the driver adapter for its PrismaClient, and its migrations applied through the WASM engine.
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapterFactory, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { DatabaseConfig } from "./config.ts";
import type { SchemaEngine } from "./engine.ts";
import { engineError, noFilters, readMigrations, readSchema, withSchemaEngine } from "./engine.ts";
import type { PGlite } from "./pglite.ts";
import { openPGlite, pgliteAdapterFactory, pgliteMigrationFactory } from "./pglite.ts";
import { createPool, type PoolStats, poolStats, postgresMigrationFactory, withMigrateLock } from "./postgres.ts";
import type { QueryListener, Statement } from "./query-log.ts";
import { watchAdapterFactory } from "./query-log.ts";

export type OpenDatabaseOptions = {
  /** prisma/<subgraph>: holds schema.prisma and migrations/ */
  schemaDir: string;
  /** called for every statement a PrismaClient sends through `adapter` (not for `query()` nor migrations) */
  onQuery?: QueryListener;
  /** PostgreSQL connections in the client pool (default 10) */
  poolSize?: number;
};

export type Database = {
  kind: DatabaseConfig["kind"];
  /** pass to `new PrismaClient({ adapter })` */
  adapter: SqlDriverAdapterFactory;
  /** `prisma migrate deploy`: applies pending migrations, records them in _prisma_migrations */
  migrate(): Promise<{ applied: string[] }>;
  /** raw SQL for tests and scripts, on the same database (not reported to onQuery) */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** the statements PrismaClients send while `run` runs */
  countQueries<T>(run: () => Promise<T>): Promise<{ result: T; count: number; statements: Statement[] }>;
  /** The client pool's connections (PostgreSQL); null for PGlite, which has one connection and no pool. */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
};

// What the migration functions need beyond the public Database: a schema engine over the same database.
type Internals = {
  runEngine<T>(schemaDir: string, run: (engine: SchemaEngine) => Promise<T>): Promise<T>;
};
const internals = new WeakMap<Database, Internals>();

export function databaseInternals(database: Database): Internals {
  const found = internals.get(database);
  if (!found) throw new Error("not a Database from openDatabase()");
  return found;
}

export type Backend = {
  kind: DatabaseConfig["kind"];
  clientAdapter: SqlDriverAdapterFactory;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  migrationFactory(): { factory: SqlMigrationAwareDriverAdapterFactory; dispose(): Promise<void> };
  // PostgreSQL serializes engine commands across processes; PGlite has a single opener anyway
  exclusive<T>(run: () => Promise<T>): Promise<T>;
  poolStats?(): PoolStats;
  close(): Promise<void>;
};

function postgresBackend(url: string, poolSize: number): Backend {
  const pool = createPool(url, poolSize);
  return {
    kind: "postgres",
    clientAdapter: new PrismaPg(pool),
    query: async <Row>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as Row[],
    migrationFactory: () => postgresMigrationFactory(url),
    exclusive: (run) => withMigrateLock(url, run),
    poolStats: () => poolStats(pool),
    close: () => pool.end(),
  };
}

export function pgliteBackend(pglite: PGlite, options: { throwawayMain?: boolean } = {}): Backend {
  return {
    kind: "pglite",
    clientAdapter: pgliteAdapterFactory(pglite),
    query: async <Row>(sql: string, params?: unknown[]) => (await pglite.query<Row>(sql, params)).rows,
    migrationFactory: () => pgliteMigrationFactory(pglite, options),
    exclusive: (run) => run(),
    close: () => pglite.close(),
  };
}

export async function applyMigrations(engine: SchemaEngine, schemaDir: string): Promise<{ applied: string[] }> {
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList: readMigrations(schemaDir), filters: noFilters });
    return { applied: appliedMigrationNames };
  } catch (error) {
    throw engineError(error, `cannot apply the migrations of ${schemaDir}`);
  }
}

export async function openDatabase(config: DatabaseConfig, options: OpenDatabaseOptions): Promise<Database> {
  const backend =
    config.kind === "postgres" ? postgresBackend(config.url, options.poolSize ?? 10) : pgliteBackend(await openPGlite(config.dataDir));
  return databaseOver(backend, options);
}

export function databaseOver(backend: Backend, options: OpenDatabaseOptions): Database {
  const { schemaDir } = options;
  const recorders = new Set<Statement[]>();
  const emit: QueryListener = (statement) => {
    options.onQuery?.(statement);
    for (const recorder of recorders) recorder.push(statement);
  };
  let queue: Promise<unknown> = Promise.resolve();
  let closed: Promise<void> | undefined;

  // One engine command at a time per database (and per PostgreSQL database across processes).
  const runEngine = <T>(schemaDir: string, run: (engine: SchemaEngine) => Promise<T>): Promise<T> => {
    const next = queue.then(() =>
      backend.exclusive(async () => {
        if (closed) throw new Error("the database is closed");
        const { factory, dispose } = backend.migrationFactory();
        try {
          return await withSchemaEngine(factory, readSchema(schemaDir), run);
        } finally {
          await dispose();
        }
      }),
    );
    queue = next.catch(() => {});
    return next;
  };

  const database: Database = {
    kind: backend.kind,
    adapter: watchAdapterFactory(backend.clientAdapter, emit),
    migrate: () => runEngine(schemaDir, (engine) => applyMigrations(engine, schemaDir)),
    query: (sql, params) => backend.query(sql, params),
    countQueries: async (run) => {
      const statements: Statement[] = [];
      recorders.add(statements);
      try {
        const result = await run();
        return { result, count: statements.length, statements };
      } finally {
        recorders.delete(statements);
      }
    },
    poolStats: () => backend.poolStats?.() ?? null,
    close: () => {
      closed ??= queue.then(() => backend.close());
      return closed;
    },
  };
  internals.set(database, { runEngine });
  return database;
}
