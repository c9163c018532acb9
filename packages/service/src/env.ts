import { z } from "zod";

/** Settings every service reads the same way. */
export const serviceEnv = {
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  HOST: z.string().default("127.0.0.1"),
};

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
