import { databaseConfigFromEnv } from "@storefront/db";
import { createInProcessBus, createKafkaBus, type SqlClient } from "@storefront/events";
import { type BaseContext, commaList, createLogger, parseEnv, port, runUntilSignalled, serviceEnv } from "@storefront/service";
import { z } from "zod";
import { serviceSecretsFromEnv } from "./service-secrets.ts";
import { startSubgraph } from "./start.ts";
import type { PrismaLike, SubgraphModule } from "./subgraph-module.ts";
import { subgraphUrlsFromEnv } from "./urls.ts";

const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .default(fallback ? "true" : "false")
    .transform((value) => value === "true" || value === "1");

/**
 * Runs one subgraph as its own process (the distributed way), configured by environment:
 * PORT, HOST, DATABASE_URL (else PGLITE_DIR, else .data/<name>), KAFKA_BROKERS (else an
 * in-process bus: events then never leave this process), MIGRATE_ON_START, SEED_DEMO, and the service client
 * secrets SERVICE_CLIENT_SECRET_<CLIENT> (the users subgraph and each client need the same value).
 */
export function runSubgraphMain<Db extends PrismaLike<Tx>, Context extends BaseContext, Tx extends SqlClient>(
  module: SubgraphModule<Db, Context, Tx>,
): void {
  const logger = createLogger({ service: module.name, level: process.env.LOG_LEVEL ?? "info" });
  runUntilSignalled(logger, async () => {
    const env = parseEnv(module.name, {
      ...serviceEnv,
      PORT: port(module.defaultPort),
      KAFKA_BROKERS: commaList().optional(),
      KAFKA_CLIENT_ID: z.string().default(`storefront-${module.name}`),
      /** Prefix of every topic and consumer group, for environments sharing one cluster. */
      KAFKA_NAMESPACE: z
        .string()
        .regex(/^[A-Za-z0-9._-]*$/)
        .default(""),
      MIGRATE_ON_START: flag(true),
      SEED_DEMO: flag(false),
    });
    if (!env.KAFKA_BROKERS) logger.warn("KAFKA_BROKERS is not set: events stay inside this process");
    const bus = env.KAFKA_BROKERS
      ? createKafkaBus({
          brokers: env.KAFKA_BROKERS,
          clientId: env.KAFKA_CLIENT_ID,
          logger,
          topicPrefix: env.KAFKA_NAMESPACE && `${env.KAFKA_NAMESPACE}.`,
        })
      : createInProcessBus();
    const subgraph = await startSubgraph(module, {
      database: databaseConfigFromEnv(process.env, module.name),
      bus,
      logger,
      production: env.NODE_ENV === "production",
      port: env.PORT,
      host: env.HOST,
      migrate: env.MIGRATE_ON_START,
      seedDemo: env.SEED_DEMO,
      subgraphUrls: subgraphUrlsFromEnv(process.env),
      serviceSecrets: serviceSecretsFromEnv(module.name),
    });
    return async () => {
      await subgraph.close();
      await bus.close();
    };
  });
}
