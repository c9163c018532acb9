import cluster from "node:cluster";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Viewer } from "@storefront/auth";
import { ErrorCode } from "@storefront/errors";
import { clientAddressOf, type Logger, type RequestGuard, sendGraphQLError } from "@storefront/service";
import { routerMetrics } from "@storefront/telemetry";
import pg from "pg";
import {
  type RateLimiterAbstract,
  RateLimiterCluster,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { RouterSettings } from "./env.ts";

/** The table rate-limiter-flexible creates (if missing) in RATE_LIMIT_DATABASE_URL's database: key, points, expire. */
export const RATE_LIMIT_TABLE = "router_rate_limits";

/** After a failure of the rate-limit database, how long the router counts in memory before asking it again. */
const DATABASE_RETRY_MS = 5_000;
/** A limit check waits no longer than this for the database; then this process counts alone. */
const DATABASE_TIMEOUT_MS = 1_000;

export type RateLimitSettings = Pick<
  RouterSettings,
  "RATE_LIMIT_PER_ADDRESS" | "RATE_LIMIT_PER_USER" | "RATE_LIMIT_WINDOW_SECONDS" | "RATE_LIMIT_DATABASE_URL" | "TRUSTED_PROXY_HOPS"
>;

/** One request counted against one budget. */
interface Outcome {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window ends and the budget is full again. */
  readonly resetSeconds: number;
  /** True for the request that used the budget up: the first refusal in its window. */
  readonly firstRefusal: boolean;
}

/** A budget of `limit` requests per window per key (an address, a user id). */
interface Budget {
  take(key: string): Promise<Outcome>;
}

async function consume(limiter: RateLimiterAbstract, key: string, limit: number): Promise<Outcome> {
  const outcome = (res: RateLimiterRes, allowed: boolean): Outcome => ({
    allowed,
    limit,
    remaining: res.remainingPoints,
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    firstRefusal: !allowed && res.consumedPoints === limit + 1,
  });
  try {
    return outcome(await limiter.consume(key), true);
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return outcome(refusal, false);
    throw refusal;
  }
}

interface BudgetStore {
  budget(keyPrefix: string, limit: number): Budget;
  close(): Promise<void>;
}

function memoryStore(windowSeconds: number): BudgetStore {
  return {
    budget(keyPrefix, limit) {
      const local = new RateLimiterMemory({ keyPrefix, points: limit, duration: windowSeconds });
      if (!cluster.isWorker) return { take: (key) => consume(local, key, limit) };
      // With WORKERS, the primary keeps the counts (main.ts starts its RateLimiterClusterMaster), so that N workers do
      // not make N budgets; a primary that does not answer within a second leaves this worker counting alone.
      const shared = new RateLimiterCluster({ keyPrefix, points: limit, duration: windowSeconds, timeoutMs: 1_000 });
      return { take: (key) => consume(shared, key, limit).catch(() => consume(local, key, limit)) };
    },
    close: async () => undefined,
  };
}

/**
 * Budgets in PostgreSQL, shared by every router on the same database. When the database fails the
 * router keeps limiting, each process on its own (in memory), and asks the database again shortly:
 * an outage of the counters must not become an outage of the shop.
 */
function postgresStore(connectionString: string, windowSeconds: number, logger: Logger): BudgetStore {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: DATABASE_TIMEOUT_MS, query_timeout: DATABASE_TIMEOUT_MS });
  pool.on("error", (error) => logger.warn({ err: error }, "rate-limit database connection failed"));
  let askAgainAt = 0;
  let degraded = false;
  const failed = (error: unknown) => {
    askAgainAt = Date.now() + DATABASE_RETRY_MS;
    if (!degraded) logger.warn({ err: error }, "rate-limit database unavailable; each router counts on its own until it answers");
    degraded = true;
  };
  const answered = () => {
    if (degraded) logger.info("rate-limit database answers again; routers share their counts");
    degraded = false;
  };

  return {
    budget(keyPrefix, limit) {
      const options = { keyPrefix, points: limit, duration: windowSeconds };
      const fallback = new RateLimiterMemory(options);
      let ready: Promise<RateLimiterPostgres> | null = null;
      // The library creates its table on construction (a no-op when it exists); a failed attempt is retried later.
      const connect = () =>
        new Promise<RateLimiterPostgres>((resolve, reject) => {
          const limiter: RateLimiterPostgres = new RateLimiterPostgres(
            // A key over its budget is refused from memory until its window ends, sparing the database during a flood.
            { ...options, storeClient: pool, storeType: "pool", tableName: RATE_LIMIT_TABLE, inMemoryBlockOnConsumed: limit + 1 },
            (error?: Error) => (error ? reject(error) : resolve(limiter)),
          );
        });
      return {
        async take(key) {
          if (Date.now() >= askAgainAt) {
            try {
              ready ??= connect().catch((error: unknown) => {
                ready = null;
                throw error;
              });
              const outcome = await consume(await ready, key, limit);
              answered();
              return outcome;
            } catch (error) {
              // undefined_table: the database was replaced; create the table again on the next try.
              if (error instanceof Error && "code" in error && error.code === "42P01") ready = null;
              failed(error);
            }
          }
          return consume(fallback, key, limit);
        },
      };
    },
    close: () => pool.end(),
  };
}

/** The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers, the -06 layout most clients read). */
function setRateLimitHeaders(res: ServerResponse, outcome: Outcome, windowSeconds: number): void {
  res.setHeader("ratelimit-policy", `${outcome.limit};w=${windowSeconds}`);
  res.setHeader("ratelimit-limit", String(outcome.limit));
  res.setHeader("ratelimit-remaining", String(outcome.remaining));
  res.setHeader("ratelimit-reset", String(outcome.resetSeconds));
}

/** The budget a client is closest to using up, for the headers. */
const tightest = (outcomes: readonly Outcome[]) =>
  outcomes.reduce<Outcome | null>((tight, outcome) => (tight === null || outcome.remaining < tight.remaining ? outcome : tight), null);

export interface RateLimitsOptions {
  readonly settings: RateLimitSettings;
  readonly logger: Logger;
  /** The request's verified viewer, null when anonymous or when its token is refused (the router answers that 401 itself). */
  readonly viewerOf: (req: IncomingMessage) => Promise<Viewer | null>;
}

/**
 * Rate limits on GraphQL requests, per client address and per signed-in user, answered with HTTP 429,
 * RATE_LIMITED and Retry-After before the request is read or run. Every request counts against its
 * address; a request with a valid token also counts against its user, wherever it comes from. Null
 * when both limits are off.
 */
export function createRateLimits({ settings, logger, viewerOf }: RateLimitsOptions) {
  const { RATE_LIMIT_PER_ADDRESS: perAddress, RATE_LIMIT_PER_USER: perUser, RATE_LIMIT_WINDOW_SECONDS: windowSeconds } = settings;
  if (perAddress === null && perUser === null) return null;
  const store = settings.RATE_LIMIT_DATABASE_URL
    ? postgresStore(settings.RATE_LIMIT_DATABASE_URL, windowSeconds, logger)
    : memoryStore(windowSeconds);
  const addresses = perAddress === null ? null : store.budget("address", perAddress);
  const users = perUser === null ? null : store.budget("user", perUser);

  function refuse(res: ServerResponse, outcome: Outcome, who: string, log: Record<string, unknown>): true {
    if (outcome.firstRefusal) logger.info({ ...log, limit: outcome.limit, windowSeconds }, "rate limit reached");
    routerMetrics.rejected("rate_limit");
    setRateLimitHeaders(res, outcome, windowSeconds);
    res.setHeader("retry-after", String(outcome.resetSeconds));
    sendGraphQLError(
      res,
      429,
      ErrorCode.RATE_LIMITED.code,
      `Too many requests ${who}: at most ${outcome.limit} every ${windowSeconds} seconds. Try again in ${outcome.resetSeconds} seconds.`,
      { retryAfterSeconds: outcome.resetSeconds },
    );
    return true;
  }

  const guard: RequestGuard = async (req, res) => {
    const outcomes: Outcome[] = [];
    if (addresses) {
      // The address is checked first: a flood is refused before any token is verified.
      const address = clientAddressOf(req, settings.TRUSTED_PROXY_HOPS) ?? "unknown";
      const outcome = await addresses.take(address);
      if (!outcome.allowed) return refuse(res, outcome, "from this address", { address });
      outcomes.push(outcome);
    }
    const viewer = users ? await viewerOf(req) : null;
    if (users && viewer) {
      const outcome = await users.take(viewer.userId);
      if (!outcome.allowed) return refuse(res, outcome, "for this account", { userId: viewer.userId });
      outcomes.push(outcome);
    }
    const reported = tightest(outcomes);
    if (reported) setRateLimitHeaders(res, reported, windowSeconds);
    return false;
  };

  return {
    /** Runs before Apollo on every GraphQL request (never on /health, /ready, /metrics); answers 429 itself. */
    guard,
    /** Closes the database pool, if any. */
    close: () => store.close(),
  };
}
