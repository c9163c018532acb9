import { createHash } from "node:crypto";
import { ErrorCode } from "@storefront/errors";
import { RateLimiterPrisma, type RateLimiterRes } from "rate-limiter-flexible";
import type { PrismaClient } from "./generated/client.ts";

// rate-limiter-flexible's RateLimiterPrisma keeps the counters in this subgraph's own database
// (table login_throttle, created by our migrations), so every replica sees the same counts and a
// restart forgets nothing; and because it only speaks Prisma it works the same on PostgreSQL and
// on embedded PGlite. Its other stores did not fit: RateLimiterPostgres needs a `pg` pool (PGlite
// has none) and creates its table itself, outside our migrations; RateLimiterMemory counts per
// process and forgets on restart.

export interface LoginThrottleSettings {
  readonly loginFailuresPerAccount: number;
  readonly loginFailuresPerClient: number;
  readonly loginFailureWindowSeconds: number;
}

/** One sign-in attempt: the account it names and the client it comes from (null when unknown). */
export interface LoginAttempt {
  /** Normalized e-mail address, whether or not an account has it. */
  readonly email: string;
  readonly client: string | null;
}

// Keyed by a hash: a password typed into the e-mail field is never stored in clear.
const accountKey = (email: string) => createHash("sha256").update(email).digest("base64url");

/**
 * Failed sign-ins per account and per client. After the allowed number of failures within the
 * window (counted from the first failure), every attempt is refused until the window has passed.
 */
export function createLoginThrottle(prisma: PrismaClient, settings: LoginThrottleSettings) {
  const limiter = (keyPrefix: string, points: number) =>
    new RateLimiterPrisma({
      storeClient: prisma,
      tableName: "loginThrottle",
      keyPrefix,
      points,
      duration: settings.loginFailureWindowSeconds,
    });
  const perAccount = limiter("login:account", settings.loginFailuresPerAccount);
  const perClient = limiter("login:client", settings.loginFailuresPerClient);
  const exhausted = (res: RateLimiterRes | null, allowed: number) => res !== null && res.consumedPoints >= allowed;

  return {
    /** Throws RATE_LIMITED, with `retryAfterSeconds`, while the account or the client has no failures left. */
    async assertAllowed(attempt: LoginAttempt): Promise<void> {
      const [account, client] = await Promise.all([
        perAccount.get(accountKey(attempt.email)),
        attempt.client === null ? null : perClient.get(attempt.client),
      ]);
      const blocking = [
        exhausted(account, settings.loginFailuresPerAccount) ? account : null,
        exhausted(client, settings.loginFailuresPerClient) ? client : null,
      ].filter((res) => res !== null);
      if (blocking.length === 0) return;
      const retryAfterSeconds = Math.max(1, ...blocking.map((res) => Math.ceil(res.msBeforeNext / 1000)));
      throw ErrorCode.RATE_LIMITED.err(`Too many failed sign-ins; try again in ${retryAfterSeconds} seconds.`, {
        extensions: { retryAfterSeconds },
      });
    },

    async recordFailure(attempt: LoginAttempt): Promise<void> {
      await Promise.all([
        perAccount.penalty(accountKey(attempt.email), 1),
        attempt.client === null ? null : perClient.penalty(attempt.client, 1),
      ]);
    },

    /** A successful sign-in clears the account's failures; the client's keep counting. */
    async recordSuccess(attempt: LoginAttempt): Promise<void> {
      await perAccount.delete(accountKey(attempt.email));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
