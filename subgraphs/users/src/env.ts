import { parseEnv } from "@storefront/service";
import { z } from "zod";

/** How the users subgraph signs people in; every value has a production-sensible default. */
export interface UsersSettings {
  /** Lifetime of an access token. */
  readonly accessTokenTtlSeconds: number;
  /** Lifetime of a refresh token; every refresh issues a new one with a fresh lifetime. */
  readonly refreshTokenTtlSeconds: number;
  /** Failed sign-ins for one account from one client address within the window before that address is refused for it. */
  readonly loginFailuresPerAccountAndClient: number;
  /** Failed sign-ins from one client address, whatever the accounts, within the window before it is refused. */
  readonly loginFailuresPerClient: number;
  /** Failed sign-ins for one account from anywhere within the window before addresses it has not signed in from are refused. */
  readonly loginFailuresPerAccount: number;
  /** The sign-in throttling window, counted from the first failure. */
  readonly loginFailureWindowSeconds: number;
  /** Sign-up attempts from one client address within the window before it is refused. */
  readonly signupsPerClient: number;
  readonly signupWindowSeconds: number;
  /** Failed client authentications at /oauth/token naming one client id from one address within the window. */
  readonly tokenFailuresPerClientId: number;
  /** Failed client authentications at /oauth/token from one address, whatever the client ids, within the window. */
  readonly tokenFailuresPerAddress: number;
  readonly tokenFailureWindowSeconds: number;
  /** How many proxies in front of this subgraph append to X-Forwarded-For (the router: 1). */
  readonly trustedProxyHops: number;
}

const seconds = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);
const count = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/**
 * Every setting of the users subgraph beyond the common ones, read once at start from the
 * environment and validated together. Each `describe` is its documentation.
 */
export const usersSettingsShape = {
  ACCESS_TOKEN_TTL_SECONDS: seconds(15 * 60, 60, 24 * 3600).describe(
    "Lifetime of an access token (a JWT the router and subgraphs verify).",
  ),
  REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 24 * 3600, 3600, 365 * 24 * 3600).describe(
    "Lifetime of a refresh token; every refresh issues a new one with a fresh lifetime. Also how long an address an account signed in from counts as the account's own (see LOGIN_FAILURES_PER_ACCOUNT).",
  ),
  // Throttles: counters in this subgraph's database (table login_throttle), shared by every replica.
  LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT: count(5, 1000).describe(
    "Failed sign-ins for one account from one client address within LOGIN_FAILURE_WINDOW_SECONDS; then sign-ins to that account from that address are RATE_LIMITED until the window ends. The owner signing in from elsewhere is not affected.",
  ),
  LOGIN_FAILURES_PER_CLIENT: count(30, 100_000).describe(
    "Failed sign-ins from one client address, whatever the accounts, within LOGIN_FAILURE_WINDOW_SECONDS; then every sign-in from that address is RATE_LIMITED until the window ends.",
  ),
  LOGIN_FAILURES_PER_ACCOUNT: count(20, 100_000).describe(
    "Failed sign-ins for one account from all addresses together within LOGIN_FAILURE_WINDOW_SECONDS (against guessing spread over many addresses); then sign-ins to it are RATE_LIMITED from every address except those it signed in from within REFRESH_TOKEN_TTL_SECONDS.",
  ),
  LOGIN_FAILURE_WINDOW_SECONDS: seconds(15 * 60, 1, 24 * 3600).describe(
    "The sign-in throttling window, counted from a count's first failure. A successful sign-in clears that account's failures from that address.",
  ),
  SIGNUPS_PER_CLIENT: count(100, 1_000_000).describe(
    "Sign-up attempts (`register`, whatever their outcome) from one client address within SIGNUP_WINDOW_SECONDS; then `register` from that address is RATE_LIMITED until the window ends.",
  ),
  SIGNUP_WINDOW_SECONDS: seconds(3600, 1, 7 * 24 * 3600).describe("The sign-up throttling window, counted from its first attempt."),
  TOKEN_FAILURES_PER_CLIENT_ID: count(10, 100_000).describe(
    "Failed client authentications at /oauth/token naming one client id from one address within TOKEN_FAILURE_WINDOW_SECONDS; then that client id is refused there (HTTP 429) until the window ends.",
  ),
  TOKEN_FAILURES_PER_ADDRESS: count(30, 100_000).describe(
    "Failed client authentications at /oauth/token from one address, whatever the client ids, within TOKEN_FAILURE_WINDOW_SECONDS; then every token request from there is refused (HTTP 429) until the window ends.",
  ),
  TOKEN_FAILURE_WINDOW_SECONDS: seconds(15 * 60, 1, 24 * 3600).describe(
    "The /oauth/token throttling window, counted from a count's first failure.",
  ),
  TRUSTED_PROXY_HOPS: z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(1)
    .describe(
      "How many proxies in front of this subgraph append to X-Forwarded-For, to find the client address the throttles count by: 1 behind the router alone; the router's TRUSTED_PROXY_HOPS + 1 when proxies stand in front of the router.",
    ),
};

/** Reads the users subgraph's settings from the environment once; every problem is reported together. */
export function usersSettingsFromEnv(env: Record<string, string | undefined> = process.env): UsersSettings {
  const parsed = parseEnv("users", usersSettingsShape, env);
  return {
    accessTokenTtlSeconds: parsed.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: parsed.REFRESH_TOKEN_TTL_SECONDS,
    loginFailuresPerAccountAndClient: parsed.LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT,
    loginFailuresPerClient: parsed.LOGIN_FAILURES_PER_CLIENT,
    loginFailuresPerAccount: parsed.LOGIN_FAILURES_PER_ACCOUNT,
    loginFailureWindowSeconds: parsed.LOGIN_FAILURE_WINDOW_SECONDS,
    signupsPerClient: parsed.SIGNUPS_PER_CLIENT,
    signupWindowSeconds: parsed.SIGNUP_WINDOW_SECONDS,
    tokenFailuresPerClientId: parsed.TOKEN_FAILURES_PER_CLIENT_ID,
    tokenFailuresPerAddress: parsed.TOKEN_FAILURES_PER_ADDRESS,
    tokenFailureWindowSeconds: parsed.TOKEN_FAILURE_WINDOW_SECONDS,
    trustedProxyHops: parsed.TRUSTED_PROXY_HOPS,
  };
}
