import { randomUUID } from "node:crypto";
import { createScratchPGlite, type PGlite } from "@storefront/db";
import pg from "pg";
import { createEvent, type EventOf, eventTablesSql, type SqlClient, type TransactionalDb } from "../src/index.ts";

// kafkajs 2.2.4 schedules setTimeout with a negative delay on Node 24 (clamped to 1 ms, harmless); keep test output clean
const printWarning = process.listeners("warning");
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (warning.name === "TimeoutNegativeWarning") return;
  for (const listener of printWarning) listener(warning);
});

// A real PostgreSQL server when the run has one (TEST_POSTGRES_URL, an admin connection), else an in-memory PGlite.
const postgresUrl = process.env.TEST_POSTGRES_URL;

export type TestDb = TransactionalDb & SqlClient;

export interface TestDatabase {
  db: TestDb;
  name: string;
  query<T = Record<string, unknown>>(sql: string, ...values: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

// The outbox / processed_event tables, and a table the test handlers write their effect to.
const testTablesSql = `${eventTablesSql}
  CREATE TABLE shop_order (id uuid PRIMARY KEY, status text NOT NULL);
  CREATE TABLE order_note (seq bigserial PRIMARY KEY, consumer_group text NOT NULL, event_id uuid NOT NULL, order_id uuid NOT NULL, type text NOT NULL);
`;

/** A throw-away database with the event tables, on PostgreSQL (TEST_POSTGRES_URL) or an in-memory PGlite. */
export function createTestDatabase(): Promise<TestDatabase> {
  return postgresUrl ? createPostgresDatabase(postgresUrl) : createPGliteDatabase();
}

async function createPostgresDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `events_${randomUUID().slice(0, 8)}_test`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 12 });
  pool.on("error", () => {});
  await pool.query(testTablesSql);
  return {
    db: pgPrismaLike(pool),
    name,
    query: async <T>(sql: string, ...values: unknown[]) => (await pool.query(sql, values)).rows as T[],
    drop: async () => {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

// One connection: its transactions take turns, which the relay's and the consumer's guarantees must survive as well.
async function createPGliteDatabase(): Promise<TestDatabase> {
  const pglite = await createScratchPGlite();
  await pglite.exec(testTablesSql);
  return {
    db: pglitePrismaLike(pglite),
    name: `events_${randomUUID().slice(0, 8)}_test (in-memory PGlite)`,
    query: async <T>(sql: string, ...values: unknown[]) => (await pglite.query<T>(sql, values)).rows,
    drop: () => pglite.close(),
  };
}

/** node-postgres shaped like the bits of a PrismaClient this package uses (tests only). */
function pgPrismaLike(pool: pg.Pool): TestDb {
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

/** PGlite shaped like the bits of a PrismaClient this package uses (tests only). */
function pglitePrismaLike(pglite: PGlite): TestDb {
  const over = (client: Pick<PGlite, "query">): SqlClient => ({
    $executeRawUnsafe: async (sql: string, ...values: unknown[]) => (await client.query(sql, values)).affectedRows ?? 0,
    $queryRawUnsafe: async <T = unknown>(sql: string, ...values: unknown[]) => (await client.query(sql, values)).rows as T,
  });
  return {
    ...over(pglite),
    // PGlite rolls back when fn throws
    $transaction: <T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> => pglite.transaction((tx) => fn(over(tx))),
  };
}

/** Polls until `check` returns true; fails with `what` after the timeout. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A unique name per test run, so runs against one broker never see each other's topics or groups. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
}

export function orderPlaced(orderId: string = randomUUID(), quantity = 1): EventOf<"order.placed.v1"> {
  return createEvent({
    type: "order.placed.v1",
    source: "/storefront/orders",
    correlationId: randomUUID(),
    data: {
      orderId,
      userId: randomUUID(),
      items: [{ productId: randomUUID(), sku: "TSHIRT-RED-M", quantity, unitPrice: { amount: 1999, currency: "EUR" } }],
      total: { amount: 1999 * quantity, currency: "EUR" },
      placedAt: new Date().toISOString(),
    },
  });
}

export function orderDelivered(orderId: string = randomUUID()): EventOf<"order.delivered.v1"> {
  return createEvent({
    type: "order.delivered.v1",
    source: "/storefront/orders",
    data: { orderId, deliveredAt: new Date().toISOString() },
  });
}

/** The effect the test handlers write: one note per handled event. */
export async function writeNote(
  tx: SqlClient,
  groupId: string,
  event: { id: string; type: string; data: { orderId: string } },
): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO order_note (consumer_group, event_id, order_id, type) VALUES ($1, $2::uuid, $3::uuid, $4)`,
    groupId,
    event.id,
    event.data.orderId,
    event.type,
  );
}
