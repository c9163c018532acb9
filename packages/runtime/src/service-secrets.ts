import { randomBytes } from "node:crypto";
import { SERVICE_SECRET_MIN_LENGTH, serviceClientIds } from "@storefront/auth";
import { parseEnv } from "@storefront/service";
import { z } from "zod";

/** The variable holding a service client's secret: the same name, and value, for the users subgraph and the client. */
export const serviceSecretVariable = (clientId: string): string => `SERVICE_CLIENT_SECRET_${clientId.toUpperCase()}`;

/**
 * Every service client's secret found in the environment (`SERVICE_CLIENT_SECRET_ORDERS`, …), by client id.
 * A secret shorter than SERVICE_SECRET_MIN_LENGTH is refused at start-up rather than accepted.
 */
export function serviceSecretsFromEnv(service: string, env: Record<string, string | undefined> = process.env): Record<string, string> {
  const secret = z.string().min(SERVICE_SECRET_MIN_LENGTH, `must be at least ${SERVICE_SECRET_MIN_LENGTH} characters`).optional();
  const parsed = parseEnv(service, Object.fromEntries(serviceClientIds.map((id) => [serviceSecretVariable(id), secret])), env);
  return Object.fromEntries(
    serviceClientIds.flatMap((id) => {
      const value = parsed[serviceSecretVariable(id)];
      return typeof value === "string" ? [[id, value]] : [];
    }),
  );
}

/** Fresh random secrets for every service client, for a shop started as one process (or a test) where nobody configures them. */
export function generateServiceSecrets(): Record<string, string> {
  return Object.fromEntries(serviceClientIds.map((id) => [id, randomBytes(32).toString("base64url")]));
}

/** The environment variables that hand `secrets` to a subgraph process. */
export function serviceSecretsEnv(secrets: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([id, value]) => [serviceSecretVariable(id), value]));
}
