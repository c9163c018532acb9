// A throw-away PostgreSQL database for the benchmarks, and node-postgres shaped like the bits of a PrismaClient
// that @storefront/events uses ($transaction / $executeRawUnsafe / $queryRawUnsafe), the same structural adapter
// packages/events/test/helpers.ts uses. The subgraphs use Prisma; this measures the event pipeline without it.
import { randomUUID } from "node:crypto";
import type { SqlClient, TransactionalDb } from "@storefront/events";
import pg from "pg";

export type BenchDb = TransactionalDb & SqlClient;

export interface BenchDatabase {
  name: string;
  db: BenchDb;
  query<T = Record<string, unknown>>(sql: string, ...values: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function onAdmin(adminUrl: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** Creates `<prefix>_<random>_bench`, runs `setupSql` in it, and hands back a pool (max `connections`) over it. */
export async function createBenchDatabase(adminUrl: string, setupSql: string, connections = 10): Promise<BenchDatabase> {
  const name = `events_${randomUUID().slice(0, 8)}_bench`;
  await onAdmin(adminUrl, `CREATE DATABASE ${name}`);
  const pool = new pg.Pool({ connectionString: withDatabase(adminUrl, name), max: connections });
  pool.on("error", () => {});
  try {
    await pool.query(setupSql);
  } catch (error) {
    await pool.end();
    await onAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    throw error;
  }
  return {
    name,
    db: pgPrismaLike(pool),
    query: async <T>(sql: string, ...values: unknown[]) => (await pool.query(sql, values)).rows as T[],
    drop: async () => {
      await pool.end();
      await onAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Drops benchmark databases a killed run left behind (only names this file creates). */
export async function dropLeftoverBenchDatabases(adminUrl: string): Promise<string[]> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^events_[0-9a-f]{8}_bench$'`);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    return rows.map((row) => row.datname);
  } finally {
    await admin.end();
  }
}

function pgPrismaLike(pool: pg.Pool): BenchDb {
  const over = (client: pg.Pool | pg.PoolClient): SqlClient => ({
    $executeRawUnsafe: async (sql: string, ...values: unknown[]) => (await client.query(sql, values)).rowCount ?? 0,
    $queryRawUnsafe: async <T = unknown>(sql: string, ...values: unknown[]) => (await client.query(sql, values)).rows as T,
  });
  return {
    ...over(pool),
    $transaction: async <T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(over(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
  };
}
