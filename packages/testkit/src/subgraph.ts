import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { type ServiceTokens, type VerifyAccessToken, type Viewer, viewerFromAuthorization } from "@storefront/auth";
import { createTestDatabase, type TestDatabase } from "@storefront/db";
import type { SqlClient } from "@storefront/events";
import type { PrismaLike, SubgraphModule } from "@storefront/runtime";
import { type BaseContext, createGraphQLHttpServer, silentLogger } from "@storefront/service";
import type { GraphQLFormattedError } from "graphql";

export interface GraphQLResult<Data = Record<string, unknown>> {
  readonly data?: Data | null;
  readonly errors?: readonly GraphQLFormattedError[];
}

/** A subgraph running in the test process on its own throw-away database. */
export interface TestSubgraph<Db> {
  readonly prisma: Db;
  readonly database: TestDatabase;
  /** Its HTTP URL (for other subgraphs that look entities up in it). */
  readonly url: string;
  /** How often the subgraph woke its outbox relay. */
  readonly outboxNotifications: { count: number };
  /** Runs an operation in-process, without HTTP, as `viewer` (anonymous by default). */
  execute<Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: AsViewer): Promise<GraphQLResult<Data>>;
  /** Runs an operation that must succeed and returns its data. */
  query<Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: AsViewer): Promise<Data>;
  close(): Promise<void>;
}

export interface TestSubgraphOptions {
  /** URLs of the other subgraphs this one looks entities up in. */
  readonly subgraphUrls?: Readonly<Record<string, string>>;
  /** Verifies bearer tokens of HTTP requests; without it HTTP requests are anonymous. */
  readonly verifyAccessToken?: VerifyAccessToken;
  /** Tokens for the subgraph's own calls to other subgraphs (see createTestAuthority). */
  readonly serviceTokens?: ServiceTokens;
  /** Service client secrets (the users subgraph's token endpoint). */
  readonly serviceSecrets?: Readonly<Record<string, string>>;
}

/** Who an in-process test operation runs as. */
export interface AsViewer {
  readonly viewer?: Viewer | null;
}

/**
 * Builds a subgraph on its own throw-away test database (real PostgreSQL when TEST_POSTGRES_URL
 * is set, in-memory PGlite otherwise) and serves it on a free local port as well.
 */
export async function startTestSubgraph<Db extends PrismaLike<Tx>, Context extends BaseContext, Tx extends SqlClient>(
  module: SubgraphModule<Db, Context, Tx>,
  options: TestSubgraphOptions = {},
): Promise<TestSubgraph<Db>> {
  const logger = silentLogger();
  const database = await createTestDatabase(module.name, { schemaDir: module.schemaDir });
  const prisma = module.createPrisma(database.adapter);
  const outboxNotifications = { count: 0 };
  const parts = module.create({
    prisma,
    logger,
    production: false,
    subgraphUrls: options.subgraphUrls ?? {},
    outbox: { notify: () => void outboxNotifications.count++ },
    serviceSecrets: options.serviceSecrets ?? {},
    serviceTokens: options.serviceTokens ?? null,
  });
  const http = createGraphQLHttpServer({
    apollo: parts.apollo,
    logger,
    context: async (req, requestId) => {
      const viewer = options.verifyAccessToken ? await viewerFromAuthorization(req.headers.authorization, options.verifyAccessToken) : null;
      return parts.context({ requestId, logger, viewer }, req);
    },
    routes: parts.routes,
  });
  await parts.apollo.start();
  const running = await http.listen(0);

  async function execute<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    as: AsViewer = {},
  ): Promise<GraphQLResult<Data>> {
    const contextValue = await parts.context({ requestId: "test", logger, viewer: as.viewer ?? null }, {} as IncomingMessage);
    const response = await parts.apollo.executeOperation<Data>({ query, variables }, { contextValue });
    if (response.body.kind !== "single") throw new Error("expected a single (non-incremental) result");
    // As a client sees it over HTTP: plain JSON (graphql-js builds null-prototype objects).
    return JSON.parse(JSON.stringify(response.body.singleResult)) as GraphQLResult<Data>;
  }

  return {
    prisma,
    database,
    url: running.url,
    outboxNotifications,
    execute,
    async query<Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as: AsViewer = {}): Promise<Data> {
      const result = await execute<Data>(query, variables, as);
      assert.deepEqual(result.errors, undefined, `unexpected errors: ${JSON.stringify(result.errors)}`);
      assert.ok(result.data, "expected data");
      return result.data;
    },
    async close() {
      await running.close();
      await prisma.$disconnect();
      await database.drop();
    },
  };
}

/** The `extensions.code` of every error of a result. */
export function errorCodes(result: GraphQLResult<unknown>): unknown[] {
  return (result.errors ?? []).map((error) => error.extensions?.code);
}
