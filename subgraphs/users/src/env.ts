import { parseEnv } from "@storefront/service";
import { z } from "zod";

/** How the users subgraph signs people in; every value has a production-sensible default. */
export interface UsersSettings {
  /** Lifetime of an access token. */
  readonly accessTokenTtlSeconds: number;
  /** Lifetime of a refresh token; every refresh issues a new one with a fresh lifetime. */
  readonly refreshTokenTtlSeconds: number;
  /** Failed sign-ins one account may have within the window before sign-ins are refused. */
  readonly loginFailuresPerAccount: number;
  /** Failed sign-ins one client address may have within the window before sign-ins are refused. */
  readonly loginFailuresPerClient: number;
  /** The throttling window, counted from the first failure. */
  readonly loginFailureWindowSeconds: number;
  /** How many proxies in front of this subgraph append to X-Forwarded-For (the router: 1). */
  readonly trustedProxyHops: number;
}

const seconds = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

/** Reads the users subgraph's settings from the environment once; every problem is reported together. */
export function usersSettingsFromEnv(env: Record<string, string | undefined> = process.env): UsersSettings {
  const parsed = parseEnv(
    "users",
    {
      ACCESS_TOKEN_TTL_SECONDS: seconds(15 * 60, 60, 24 * 3600),
      REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 24 * 3600, 3600, 365 * 24 * 3600),
      LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(5),
      LOGIN_FAILURES_PER_CLIENT: z.coerce.number().int().min(1).max(100_000).default(30),
      LOGIN_FAILURE_WINDOW_SECONDS: seconds(15 * 60, 1, 24 * 3600),
      TRUSTED_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
    },
    env,
  );
  return {
    accessTokenTtlSeconds: parsed.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: parsed.REFRESH_TOKEN_TTL_SECONDS,
    loginFailuresPerAccount: parsed.LOGIN_FAILURES_PER_ACCOUNT,
    loginFailuresPerClient: parsed.LOGIN_FAILURES_PER_CLIENT,
    loginFailureWindowSeconds: parsed.LOGIN_FAILURE_WINDOW_SECONDS,
    trustedProxyHops: parsed.TRUSTED_PROXY_HOPS,
  };
}
