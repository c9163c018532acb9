import { SERVICE_SECRET_MIN_LENGTH, serviceClientIds } from "@storefront/auth";
import { commaList, defaultSubgraphPorts, flag, port, serviceEnv, subgraphNames, workersSetting } from "@storefront/service";
import { z } from "zod";
import { serviceSecretVariable } from "./service-secrets.ts";

const url = (description: string) =>
  z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(description);

/**
 * Every setting a subgraph process reads (besides its own, e.g. the users subgraph's token lifetimes), read once at
 * start through this one shape; each `describe` is the documentation (`npm run settings:docs`).
 */
export function subgraphSettingsShape(name: string, defaultPort: number) {
  return {
    ...serviceEnv,
    PORT: port(defaultPort).describe("Port of /graphql, /health, /ready and /metrics."),
    // All cores (runtime main.ts); more than one needs DATABASE_URL. Per worker: see the README's list.
    WORKERS: workersSetting(),
    DATABASE_URL: z
      .string()
      .optional()
      .describe("PostgreSQL URL of this subgraph's own database; without it, the embedded PGlite database in PGLITE_DIR."),
    PGLITE_DIR: z
      .string()
      .optional()
      .describe(
        "The embedded database's directory (`memory://` keeps it in memory) when DATABASE_URL is unset; default: .data/<subgraph>.",
      ),
    KAFKA_BROKERS: commaList()
      .optional()
      .describe("Comma-separated Kafka brokers; without them events stay inside this process (the in-process bus)."),
    KAFKA_CLIENT_ID: z.string().default(`storefront-${name}`).describe("The Kafka client id."),
    KAFKA_NAMESPACE: z
      .string()
      .regex(/^[A-Za-z0-9._-]*$/)
      .default("")
      .describe("Prefix of every topic and consumer group (`<namespace>.orders`), for environments sharing one Kafka cluster."),
    MIGRATE_ON_START: flag(true).describe("Apply pending database migrations before serving (safe with several replicas)."),
    SEED_DEMO: flag(false).describe(
      "Seed the demo shop (idempotent); refused with NODE_ENV=production unless SEED_DEMO_IN_PRODUCTION=true.",
    ),
    SEED_DEMO_IN_PRODUCTION: flag(false).describe(
      "Let SEED_DEMO seed with NODE_ENV=production anyway (the demo accounts' passwords are public).",
    ),
    ...(Object.fromEntries(
      subgraphNames.map((other) => [
        `${other.toUpperCase()}_URL`,
        url(
          `The ${other} subgraph's GraphQL URL, for calls between subgraphs; default: http://127.0.0.1:${defaultSubgraphPorts[other]}/graphql.`,
        ),
      ]),
    ) as Record<`${Uppercase<(typeof subgraphNames)[number]>}_URL`, ReturnType<typeof url>>),
    JWKS_URL: url("Where access tokens' signing keys are published; default: /.well-known/jwks.json next to USERS_URL."),
    TOKEN_URL: url("The OAuth 2.0 token endpoint for service tokens; default: /oauth/token next to USERS_URL."),
    ...Object.fromEntries(
      serviceClientIds.map((id) => [
        serviceSecretVariable(id),
        z
          .string()
          .min(SERVICE_SECRET_MIN_LENGTH, `must be at least ${SERVICE_SECRET_MIN_LENGTH} characters`)
          .optional()
          .describe(
            `The ${id} service client's secret (at least ${SERVICE_SECRET_MIN_LENGTH} characters): the same value on the users subgraph, which checks it, and on ${id}, which uses it to get service tokens. Without it ${id}'s calls as a service are refused.`,
          ),
      ]),
    ),
  };
}

export type SubgraphSettings = z.infer<z.ZodObject<ReturnType<typeof subgraphSettingsShape>>>;
