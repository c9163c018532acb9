// PostgreSQL through node-postgres: pools, the schema engine's connections and throw-away shadow databases.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { ColumnTypeEnum, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";

export { pg };

// allowExitOnIdle: an idle pool must not keep a test or a script alive.
export function createPool(url: string, max: number, idleTimeoutMillis = 10_000): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, allowExitOnIdle: true, idleTimeoutMillis });
  // an idle connection that dies (server restart, DROP ... WITH (FORCE)) is only removed from the pool, not a crash
  pool.on("error", () => {});
  return pool;
}

/** A pool's connections at a glance, for the db_pool_* gauges. */
export type PoolStats = { total: number; idle: number; waiting: number; max: number };

export function poolStats(pool: pg.Pool): PoolStats {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 };
}

export function databaseUrl(url: string, database: string): string {
  const next = new URL(url);
  next.pathname = `/${encodeURIComponent(database)}`;
  return next.toString();
}

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

// One-off admin connection (CREATE/DROP DATABASE, advisory locks): opened and closed per use.
export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}

// The schema engine reads catalog columns of type "char" (OID 18, e.g. pg_constraint.contype), which adapter-pg
// cannot deserialize, and it insists on getting them as characters (a CHECK constraint otherwise panics the drift
// check). The pool reports them as text and remembers, per query text, which columns they were; engineAdapter
// then retypes those columns as Character.
const charColumnsByQuery = new Map<string, number[]>();

function reportCharAsText(pool: pg.Pool): pg.Pool {
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: typeof query }).query = async (...args) => {
    const result = await query(...args);
    const first = args[0];
    const text = typeof first === "string" ? first : (first as { text?: string } | undefined)?.text;
    for (const set of Array.isArray(result) ? result : [result]) {
      const chars: number[] = [];
      ((set as pg.QueryResult | undefined)?.fields ?? []).forEach((field, index) => {
        if (field.dataTypeID !== 18) return;
        field.dataTypeID = 25;
        chars.push(index);
      });
      if (text && chars.length > 0) charColumnsByQuery.set(text, chars);
    }
    return result;
  };
  return pool;
}

// One connection, like the native engine: its advisory lock, the scripts and _prisma_migrations share a session.
function engineAdapter(pool: pg.Pool): Promise<SqlDriverAdapter> {
  return new PrismaPg(pool).connect().then((adapter) => {
    const queryRaw = adapter.queryRaw.bind(adapter);
    adapter.queryRaw = async (query) => {
      const result = await queryRaw(query);
      for (const index of charColumnsByQuery.get(query.sql) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
      return result;
    };
    // adapter-pg's executeScript splits on ";" and runs the pieces one by one (breaks on ";" in strings and
    // leaves half-applied migrations): send the script as one simple query, one implicit transaction, like the CLI.
    adapter.executeScript = async (script) => {
      try {
        await pool.query(script);
      } catch (error) {
        (adapter as unknown as { onError(error: unknown): never }).onError(error);
      }
    };
    return adapter;
  });
}

export function postgresMigrationFactory(url: string): {
  factory: SqlMigrationAwareDriverAdapterFactory;
  dispose(): Promise<void>;
} {
  const pools = new Set<pg.Pool>();
  const shadows = new Set<string>();
  const enginePool = (poolUrl: string) => {
    // idleTimeoutMillis 0: the connection holding the engine's advisory lock must not be closed midway
    const pool = reportCharAsText(createPool(poolUrl, 1, 0));
    pools.add(pool);
    return pool;
  };
  const dropShadow = async (name: string) => {
    await withClient(url, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    shadows.delete(name);
  };
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => engineAdapter(enginePool(url)),
    // adapter-pg's own connectToShadowDb() reuses the connection string, whose database wins: it would use the MAIN
    // database as the shadow. Create a real throw-away database instead (needs CREATEDB, like `prisma migrate dev`).
    connectToShadowDb: async () => {
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await withClient(url, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
      shadows.add(name);
      const pool = enginePool(databaseUrl(url, name));
      const adapter = await engineAdapter(pool);
      adapter.dispose = async () => {
        pools.delete(pool);
        await pool.end();
        await dropShadow(name);
      };
      return adapter;
    },
  };
  return {
    factory,
    // ending the pools releases the engine's advisory lock (it never unlocks) and drops shadows a failed command left
    dispose: async () => {
      await Promise.all([...pools].map((pool) => pool.end().catch(() => {})));
      pools.clear();
      for (const name of [...shadows]) await dropShadow(name).catch(() => {});
    },
  };
}

// Our own lock around every engine command: the engine waits only 10 s for its pg_advisory_lock(72707369),
// so a second process deploying while a long migration runs would fail instead of waiting.
const migrateLockKey = 72707370;

export async function withMigrateLock<T>(url: string, run: () => Promise<T>): Promise<T> {
  return withClient(url, async (client) => {
    await client.query("SELECT pg_advisory_lock($1)", [migrateLockKey]);
    try {
      return await run();
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [migrateLockKey]).catch(() => {});
    }
  });
}
