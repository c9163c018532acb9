import type { IncomingMessage } from "node:http";
import type { ApolloServer } from "@apollo/server";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { ServiceTokens } from "@storefront/auth";
import type { EventHandlers, SqlClient, TransactionalDb } from "@storefront/events";
import type { BaseContext, HttpRoute, Logger } from "@storefront/service";

/** The least a generated Prisma client offers that the runtime relies on; `Tx` is its transaction client. */
export type PrismaLike<Tx extends SqlClient = SqlClient> = SqlClient & TransactionalDb<Tx> & { $disconnect(): Promise<void> };

/** Wakes the outbox relay right after a transaction that wrote events commits. */
export interface OutboxSignal {
  notify(): void;
}

export interface SubgraphDeps<Db> {
  readonly prisma: Db;
  /** GraphQL URL of every subgraph by name, for the few direct subgraph-to-subgraph lookups. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly production: boolean;
  readonly outbox: OutboxSignal;
  /** Service client id → secret (SERVICE_CLIENT_SECRET_<CLIENT>); the users subgraph checks them at its token endpoint. */
  readonly serviceSecrets: Readonly<Record<string, string>>;
  /** Tokens for this subgraph's own calls to other subgraphs, when it is a registered service client with a secret. */
  readonly serviceTokens: ServiceTokens | null;
}

/** What a subgraph hands the runtime once built. */
export interface SubgraphParts<Context extends BaseContext, Tx extends SqlClient = SqlClient> {
  readonly apollo: ApolloServer<Context>;
  context(base: BaseContext, req: IncomingMessage): Context | Promise<Context>;
  /** Event handlers, run by one consumer group named after the subgraph. */
  readonly handlers?: EventHandlers<Tx>;
  /** Plain HTTP routes next to /graphql, e.g. the users subgraph's JWKS. */
  readonly routes?: Record<string, HttpRoute>;
  /** Work the subgraph does on a timer, e.g. cancelling orders nobody paid for in time. */
  readonly jobs?: readonly PeriodicJob[];
}

/**
 * A job run every `everyMs` (the first run one period after start). Runs never overlap within a process; every
 * replica runs its own, so a job must be safe to run concurrently (row locks, idempotent changes).
 */
export interface PeriodicJob<Report = unknown> {
  readonly name: string;
  readonly everyMs: number;
  /** What it resolves with is ignored by the runtime (a job may report what it did, for its tests). */
  run(): Promise<Report>;
}

/**
 * A subgraph as the runtime sees it: a name, a port, a database with its migrations, and a
 * factory. Each subgraph's `src/index.ts` exports one; `main.ts` and the embedded launcher run it.
 */
export interface SubgraphModule<Db extends PrismaLike<Tx>, Context extends BaseContext, Tx extends SqlClient = SqlClient> {
  readonly name: string;
  readonly defaultPort: number;
  /** prisma/<name>: schema.prisma and migrations/. */
  readonly schemaDir: string;
  /** True when the subgraph writes events to its outbox (the runtime then relays them). */
  readonly publishesEvents: boolean;
  createPrisma(adapter: SqlDriverAdapterFactory): Db;
  create(deps: SubgraphDeps<Db>): SubgraphParts<Context, Tx>;
  /** Idempotent demo data for the embedded default. */
  seedDemo?(prisma: Db): Promise<void>;
}

/** Identity helper that keeps the module's own Prisma and context types. */
export function defineSubgraph<Db extends PrismaLike<Tx>, Context extends BaseContext, Tx extends SqlClient = SqlClient>(
  module: SubgraphModule<Db, Context, Tx>,
): SubgraphModule<Db, Context, Tx> {
  return module;
}
