/**
 * What this package needs from a database client, typed structurally: every subgraph has its own generated
 * PrismaClient class, and any of them (or a transaction client of one) fits.
 */
export interface SqlClient {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/** Prisma's interactive-transaction options (the default timeout, 5 s, is too short for a publish to a struggling broker). */
export interface TransactionOptions {
  maxWait?: number;
  timeout?: number;
}

/** A client that runs interactive transactions; `Tx` is what the callback gets (a Prisma transaction client). */
export interface TransactionalDb<Tx extends SqlClient = SqlClient> {
  $transaction<T>(fn: (tx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

/**
 * The two tables as Prisma models; paste them into every schema.prisma whose subgraph publishes (OutboxEvent)
 * or consumes (ProcessedEvent) events, then create a migration.
 */
// The generator of a schema that pastes these needs previewFeatures = ["partialIndexes"] (the pending-rows index).
export const prismaModels = `/// Transactional outbox (@storefront/events): written in the same transaction as the state change,
/// published to the event bus by the relay in seq order.
model OutboxEvent {
  id          String    @id @db.Uuid
  seq         BigInt    @unique @default(autoincrement())
  topic       String
  key         String
  type        String
  payload     Json
  createdAt   DateTime  @default(now()) @map("created_at") @db.Timestamptz(3)
  publishedAt DateTime? @map("published_at") @db.Timestamptz(3)
  attempts    Int       @default(0)
  lastError   String?   @map("last_error")

  @@index([publishedAt, seq])
  /// The relay reads pending rows oldest first: without this a batch costs a sort of the whole backlog.
  @@index([seq], map: "outbox_event_pending_seq_idx", where: raw("published_at IS NULL"))
  @@map("outbox_event")
}

/// Events a consumer group has handled (@storefront/events), written in the same transaction as the handler's effect.
model ProcessedEvent {
  consumerGroup String   @map("consumer_group")
  eventId       String   @map("event_id") @db.Uuid
  type          String
  processedAt   DateTime @default(now()) @map("processed_at") @db.Timestamptz(3)

  @@id([consumerGroup, eventId])
  @@index([processedAt])
  @@map("processed_event")
}
`;

/** The same tables as the SQL Prisma Migrate generates from prismaModels (for tests and databases without Prisma). */
export const eventTablesSql = `CREATE TABLE "outbox_event" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "outbox_event_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "processed_event" (
    "consumer_group" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_event_pkey" PRIMARY KEY ("consumer_group","event_id")
);

CREATE UNIQUE INDEX "outbox_event_seq_key" ON "outbox_event"("seq");

CREATE INDEX "outbox_event_published_at_seq_idx" ON "outbox_event"("published_at", "seq");

CREATE INDEX "outbox_event_pending_seq_idx" ON "outbox_event"("seq") WHERE (published_at IS NULL);

CREATE INDEX "processed_event_processed_at_idx" ON "processed_event"("processed_at");
`;
