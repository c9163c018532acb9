import {
  createAccessTokenVerifier,
  createServiceTokenSource,
  type ServiceTokens,
  type VerifyAccessToken,
  viewerFromAuthorization,
} from "@storefront/auth";
import { type DatabaseConfig, openDatabase } from "@storefront/db";
import type { SqlClient } from "@storefront/events";
import { createEventConsumer, createOutboxRelay, type EventBus, type EventConsumer } from "@storefront/events";
import { type BaseContext, createGraphQLHttpServer, type Logger, type ReadinessCheck, type ReadinessReport } from "@storefront/service";
import { metricsRoute, setUpTracing, type TracingOptions, watchDatabasePool } from "@storefront/telemetry";
import { kafkaReadiness } from "./kafka-readiness.ts";
import { startPeriodicJob } from "./periodic-job.ts";
import type { PrismaLike, SubgraphModule } from "./subgraph-module.ts";
import { jwksUrlOf, tokenUrlOf } from "./urls.ts";

/** A service client's token source when the subgraph has a secret, else null. */
function serviceTokensOf(clientId: string, secrets: Readonly<Record<string, string>>, tokenUrl: URL): ServiceTokens | null {
  const clientSecret = Object.hasOwn(secrets, clientId) ? secrets[clientId] : undefined;
  return clientSecret === undefined ? null : createServiceTokenSource({ tokenUrl, clientId, clientSecret });
}

export interface StartSubgraphOptions {
  readonly database: DatabaseConfig;
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly production: boolean;
  readonly port: number;
  readonly host?: string;
  /** Apply pending migrations before serving (idempotent; safe with several replicas). */
  readonly migrate: boolean;
  /** Seed the demo data after migrating. */
  readonly seedDemo?: boolean;
  /** GraphQL URL of every subgraph by name (see subgraphUrlsFromEnv). */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** Service client id → secret (see serviceSecretsFromEnv); a subgraph that is a client gets tokens with its own. */
  readonly serviceSecrets?: Readonly<Record<string, string>>;
  /** The signing keys' URL (JWKS_URL) and the token endpoint (TOKEN_URL); default: next to the users subgraph's URL. */
  readonly jwksUrl?: string;
  readonly tokenUrl?: string;
  /** Checks access tokens; default: against the users subgraph's JWKS (jwksUrlOf). */
  readonly verifyAccessToken?: VerifyAccessToken;
  /** Where traces go and how they are named (tracingSettings of serviceEnv); default: recorded nowhere. */
  readonly tracing?: Omit<TracingOptions, "component">;
  /** SIGTERM draining: SHUTDOWN_DELAY_MS and SHUTDOWN_GRACE_MS (see serviceEnv). */
  readonly shutdown?: { readonly delayMs: number; readonly graceMs: number };
}

export interface RunningSubgraph<Db> {
  readonly name: string;
  readonly url: string;
  readonly prisma: Db;
  /** Publishes everything waiting in the outbox now (tests). */
  flushOutbox(): Promise<number>;
  close(): Promise<void>;
}

/** Opens the subgraph's database, relays its outbox, runs its consumers and serves it over HTTP. */
export async function startSubgraph<Db extends PrismaLike<Tx>, Context extends BaseContext, Tx extends SqlClient>(
  module: SubgraphModule<Db, Context, Tx>,
  options: StartSubgraphOptions,
): Promise<RunningSubgraph<Db>> {
  const logger = options.logger.child({ subgraph: module.name });
  setUpTracing({ component: module.name, ...options.tracing });
  const database = await openDatabase(options.database, { schemaDir: module.schemaDir });
  const closers: Array<() => Promise<void>> = [() => database.close()];
  const closeAll = async () => {
    for (const close of [...closers].reverse()) await close().catch((error: unknown) => logger.error({ err: error }, "close failed"));
  };
  try {
    if (options.migrate) {
      const { applied } = await database.migrate();
      if (applied.length > 0) logger.info({ applied }, "migrations applied");
    }
    const prisma = module.createPrisma(database.adapter);
    closers.push(() => prisma.$disconnect());
    if (options.seedDemo && module.seedDemo) await module.seedDemo(prisma);

    const serviceSecrets = options.serviceSecrets ?? {};
    const pool = database.poolStats();
    if (pool) {
      const unwatch = watchDatabasePool(module.name, () => database.poolStats() ?? pool);
      closers.push(async () => unwatch());
    }
    const relay = module.publishesEvents ? createOutboxRelay({ db: prisma, bus: options.bus, logger, service: module.name }) : undefined;
    if (relay) {
      relay.start();
      closers.push(() => relay.stop());
    }
    const parts = module.create({
      prisma,
      logger,
      production: options.production,
      subgraphUrls: options.subgraphUrls,
      outbox: { notify: () => relay?.notify() },
      serviceSecrets,
      serviceTokens: serviceTokensOf(
        module.name,
        serviceSecrets,
        options.tokenUrl ? new URL(options.tokenUrl) : tokenUrlOf(options.subgraphUrls),
      ),
    });
    let consumer: EventConsumer | undefined;
    if (parts.handlers) {
      consumer = createEventConsumer<Tx>({
        bus: options.bus,
        groupId: module.name,
        service: module.name,
        db: prisma,
        handlers: parts.handlers,
        logger,
        // what a handler wrote to the outbox (order.paid after payment.captured, …) leaves right after its commit
        afterCommit: () => relay?.notify(),
      });
      // returns at once: without a broker the group is joined in the background when it is back
      await consumer.start();
      const started = consumer;
      closers.push(() => started.stop());
    }

    for (const job of parts.jobs ?? []) closers.push(startPeriodicJob(job, logger));

    const verify =
      options.verifyAccessToken ??
      createAccessTokenVerifier({ jwks: options.jwksUrl ? new URL(options.jwksUrl) : jwksUrlOf(options.subgraphUrls) });
    const databaseCheck = async (): Promise<ReadinessCheck> => {
      try {
        await prisma.$queryRawUnsafe("SELECT 1");
        return { ok: true };
      } catch (error) {
        return { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    };
    // Kafka never makes the subgraph unready: it serves without it (see kafkaReadiness)
    const kafkaCheck =
      options.bus.transport === "kafka" && (relay || consumer)
        ? kafkaReadiness({ bus: options.bus, relay, consumer: consumer && { groupId: module.name, status: consumer.status } })
        : undefined;
    const readiness = async (): Promise<ReadinessReport> => {
      const [database, kafka] = await Promise.all([databaseCheck(), kafkaCheck?.()]);
      return { ready: database.ok, checks: kafka ? { database, kafka } : { database } };
    };
    const http = createGraphQLHttpServer({
      service: module.name,
      apollo: parts.apollo,
      logger,
      // Every subgraph verifies the token itself, whatever the router did (defense in depth).
      context: async (req, requestId) =>
        parts.context(
          { requestId, logger: logger.child({ requestId }), viewer: await viewerFromAuthorization(req.headers.authorization, verify) },
          req,
        ),
      routes: { ...parts.routes, "/metrics": metricsRoute() },
      readiness,
      // Subgraphs sit behind the router, which already limits client bodies; entity batches can be large.
      maxBodyBytes: 8 * 1_048_576,
      shutdownDelayMs: options.shutdown?.delayMs,
      shutdownGraceMs: options.shutdown?.graceMs,
    });
    await parts.apollo.start();
    const running = await http.listen(options.port, options.host);
    // Stop serving first, then the consumers and the relay, then the database.
    closers.push(() => running.close());
    logger.info({ url: running.url }, "subgraph ready");
    return {
      name: module.name,
      url: running.url,
      prisma,
      flushOutbox: async () => (relay ? relay.flush() : 0),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** A subgraph ready to start, with its database and context types hidden (for lists of subgraphs). */
export interface SubgraphLauncher {
  readonly name: string;
  readonly defaultPort: number;
  start(options: StartSubgraphOptions): Promise<RunningSubgraph<unknown>>;
}

export function subgraphLauncher<Db extends PrismaLike<Tx>, Context extends BaseContext, Tx extends SqlClient>(
  module: SubgraphModule<Db, Context, Tx>,
): SubgraphLauncher {
  return { name: module.name, defaultPort: module.defaultPort, start: (options) => startSubgraph(module, options) };
}
