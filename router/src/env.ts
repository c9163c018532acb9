import path from "node:path";
import { parseEnv, port, serviceEnv, subgraphNames } from "@storefront/service";
import { z } from "zod";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const url = z.url({ protocol: /^https?$/ }).optional();

/** The router's settings, read once at start. Subgraph URLs default to those in the supergraph file. */
export const routerEnvShape = {
  ...serviceEnv,
  PORT: port(4000),
  SUPERGRAPH_PATH: z.string().default(path.join(repoRoot, "schema", "supergraph.graphql")),
  USERS_URL: url,
  CATALOG_URL: url,
  INVENTORY_URL: url,
  CART_URL: url,
  ORDERS_URL: url,
  PAYMENTS_URL: url,
  /** The users subgraph's signing keys; default: /.well-known/jwks.json next to USERS_URL. */
  JWKS_URL: url,
  /** Largest accepted request body. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
};

export type RouterEnv = ReturnType<typeof readRouterEnv>;

export function readRouterEnv(env: Record<string, string | undefined> = process.env) {
  return parseEnv("router", routerEnvShape, env);
}

/** `ORDERS_URL`-style overrides keyed by subgraph name as it appears in the supergraph. */
export function subgraphUrlOverrides(env: RouterEnv): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const name of subgraphNames) {
    const value = env[`${name.toUpperCase()}_URL` as "USERS_URL"];
    if (value) overrides[name] = value;
  }
  return overrides;
}

/** Where the users subgraph publishes its signing keys by default: next to its GraphQL URL (subgraphs look there too). */
export function defaultJwksUrl(subgraphUrls: Readonly<Record<string, string>>): URL {
  return new URL("/.well-known/jwks.json", subgraphUrls.users ?? "http://127.0.0.1:4001/graphql");
}
