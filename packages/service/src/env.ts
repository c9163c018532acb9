import { z } from "zod";

/** Settings every service reads the same way. */
export const serviceEnv = {
  NODE_ENV: z
    .enum(["development", "test", "production"])
    .default("development")
    .describe("`production` masks unexpected errors, hides stack traces and field suggestions, and serves no Sandbox."),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info")
    .describe("Least severity written to the JSON log on stdout."),
  HOST: z.string().default("127.0.0.1").describe("Address to listen on; `0.0.0.0` in containers."),
  SHUTDOWN_GRACE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(10_000)
    .describe("On SIGTERM, how long in-flight requests may take to finish before their connections are closed."),
  SHUTDOWN_DELAY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      "On SIGTERM, how long to keep serving with /ready answering 503 before refusing new connections, so a load balancer stops sending first (e.g. 5000 on Kubernetes).",
    ),
  // Telemetry: Prometheus /metrics is always served; traces leave the process only towards a configured collector.
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .preprocess((value) => (value === "" ? undefined : value), z.url({ protocol: /^https?$/ }).optional())
    .describe(
      "OpenTelemetry collector (OTLP over HTTP, e.g. `http://127.0.0.1:4318` for Jaeger, Tempo or an OpenTelemetry Collector): spans are sent to `<url>/v1/traces`. Unset: no span leaves the process (trace ids still travel in `traceparent` and appear in logs).",
    ),
  OTEL_SERVICE_NAME: z
    .string()
    .min(1)
    .optional()
    .describe("`service.name` of every span of this process; default: `router` or the subgraph's name (`npm start` names each part)."),
  TRACE_SAMPLE_RATIO: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe(
      "Share of new traces recorded and exported (0 to 1); a request that arrives with a `traceparent` follows its caller's sampling decision.",
    ),
};

/** The tracing settings of serviceEnv, as setUpTracing takes them. */
export function tracingSettings(env: { OTEL_EXPORTER_OTLP_ENDPOINT?: string; OTEL_SERVICE_NAME?: string; TRACE_SAMPLE_RATIO: number }) {
  return { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME, sampleRatio: env.TRACE_SAMPLE_RATIO };
}

/**
 * A boolean from the environment (`true`/`false`/`1`/`0`); with `fallback` undefined it stays
 * undefined when unset, for settings whose default depends on another one.
 */
export function flag<Fallback extends boolean | undefined>(fallback: Fallback) {
  const parsed = z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((value) => (value === undefined ? fallback : value === "true" || value === "1"));
  return parsed as unknown as z.ZodType<Fallback extends boolean ? boolean : boolean | undefined, string | undefined>;
}

export class InvalidEnvironmentError extends Error {
  readonly issues: readonly string[];
  constructor(service: string, issues: readonly string[]) {
    super(`${service}: invalid environment:\n  ${issues.join("\n  ")}`);
    this.name = "InvalidEnvironmentError";
    this.issues = issues;
  }
}

/**
 * Reads the environment once, at start-up, and reports every problem at once rather than the
 * first. Throws InvalidEnvironmentError; `main.ts` files print it and exit.
 */
export function parseEnv<Shape extends z.ZodRawShape>(
  service: string,
  shape: Shape,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<Shape>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join(".") || "(env)"}: ${issue.message}`);
  throw new InvalidEnvironmentError(service, issues);
}

/** A TCP port from the environment, with the service's default. */
export function port(defaultPort: number) {
  return z.coerce.number().int().min(0).max(65_535).default(defaultPort);
}

/** A comma-separated list, e.g. KAFKA_BROKERS=host1:9092,host2:9092. */
export function commaList() {
  return z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(1));
}
