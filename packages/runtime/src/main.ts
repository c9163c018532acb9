import { serviceClientIds } from "@storefront/auth";
import { databaseConfigFromEnv } from "@storefront/db";
import { createInProcessBus, kafkaBusFromSettings, type SqlClient } from "@storefront/events";
import {
  type BaseContext,
  createLogger,
  InvalidEnvironmentError,
  type Logger,
  parseEnv,
  runUntilSignalled,
  runWorkers,
  subgraphNames,
  tracingSettings,
  workerCount,
} from "@storefront/service";
import { serviceSecretsFromEnv, serviceSecretVariable } from "./service-secrets.ts";
import { type SubgraphSettings, subgraphSettingsShape } from "./settings.ts";
import { startSubgraph } from "./start.ts";
import type { PrismaLike, SubgraphModule } from "./subgraph-module.ts";
import { subgraphUrlsFromEnv } from "./urls.ts";

/**
 * Runs one subgraph as its own process (the distributed way), configured by the environment once, through
 * subgraphSettingsShape: where it listens, its database (DATABASE_URL, else PGLITE_DIR, else .data/<name>), Kafka
 * (KAFKA_BROKERS, else an in-process bus: events then never leave this process), migrations, demo data, where the
 * other subgraphs are and the service client secrets.
 */
export function runSubgraphMain<Db extends PrismaLike<Tx>, Context extends BaseContext, Tx extends SqlClient>(
  module: SubgraphModule<Db, Context, Tx>,
): void {
  const logger = createLogger({ service: module.name, level: process.env.LOG_LEVEL ?? "info" });
  let settings: SubgraphSettings;
  try {
    settings = parseEnv(module.name, subgraphSettingsShape(module.name, module.defaultPort));
    // The embedded database is a directory one process owns: several workers need PostgreSQL.
    if ((settings.WORKERS ?? 1) > 1 && !settings.DATABASE_URL)
      throw new InvalidEnvironmentError(module.name, [
        "WORKERS above 1 needs DATABASE_URL: the embedded database (PGlite) belongs to one process",
      ]);
  } catch (error) {
    if (!(error instanceof InvalidEnvironmentError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const workers = settings.DATABASE_URL ? workerCount(settings) : 1;
  // WORKERS processes on one port (node:cluster), or this one alone. Each worker has its own database pool, outbox
  // relay (the relay's advisory lock lets one publish at a time per database, as with replicas), periodic jobs (safe
  // to run concurrently: see PeriodicJob), Kafka consumer group member, and in-process bus when there is no Kafka.
  const shutdownTimeoutMs = settings.SHUTDOWN_DELAY_MS + settings.SHUTDOWN_GRACE_MS + 15_000;
  runWorkers({ workers, logger, shutdownTimeoutMs }, (workerLogger) => serve(workerLogger));

  function serve(logger: Logger): void {
    runUntilSignalled(logger, async () => {
      if (settings.SEED_DEMO && settings.NODE_ENV === "production" && !settings.SEED_DEMO_IN_PRODUCTION) {
        throw new InvalidEnvironmentError(module.name, [
          "SEED_DEMO=true with NODE_ENV=production is refused: it creates demo accounts whose passwords are public (set SEED_DEMO_IN_PRODUCTION=true to force it)",
        ]);
      }
      if (settings.SEED_DEMO && settings.NODE_ENV === "production")
        logger.warn("seeding demo data in production (SEED_DEMO_IN_PRODUCTION=true)");
      if (!settings.KAFKA_BROKERS) logger.warn("KAFKA_BROKERS is not set: events stay inside this process");
      const bus = kafkaBusFromSettings(settings, logger) ?? createInProcessBus();
      const stringsOf = (names: readonly string[]) =>
        Object.fromEntries(names.map((name) => [name, (settings as Record<string, unknown>)[name] as string | undefined]));
      const subgraph = await startSubgraph(module, {
        database: databaseConfigFromEnv({ DATABASE_URL: settings.DATABASE_URL, PGLITE_DIR: settings.PGLITE_DIR }, module.name),
        bus,
        logger,
        production: settings.NODE_ENV === "production",
        port: settings.PORT,
        host: settings.HOST,
        migrate: settings.MIGRATE_ON_START,
        shutdown: { delayMs: settings.SHUTDOWN_DELAY_MS, graceMs: settings.SHUTDOWN_GRACE_MS },
        seedDemo: settings.SEED_DEMO,
        subgraphUrls: subgraphUrlsFromEnv(stringsOf(subgraphNames.map((name) => `${name.toUpperCase()}_URL`))),
        jwksUrl: settings.JWKS_URL,
        tokenUrl: settings.TOKEN_URL,
        serviceSecrets: serviceSecretsFromEnv(module.name, stringsOf(serviceClientIds.map(serviceSecretVariable))),
        tracing: tracingSettings(settings),
      });
      return async () => {
        await subgraph.close();
        await bus.close();
      };
    });
  }
}
