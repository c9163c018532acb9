import { createHash } from "node:crypto";
import { ErrorCode } from "@storefront/errors";
import type { GraphQLError } from "graphql";
import { RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import type { PrismaClient } from "./generated/client.ts";

// rate-limiter-flexible's RateLimiterPrisma keeps the counters in this subgraph's own database
// (table login_throttle, created by our migrations; every throttle here shares it, told apart by
// key prefix), so every replica sees the same counts and a restart forgets nothing; and because it
// only speaks Prisma it works the same on PostgreSQL and on embedded PGlite. Its other stores did
// not fit: RateLimiterPostgres needs a `pg` pool (PGlite has none) and creates its table itself,
// outside our migrations; RateLimiterMemory counts per process and forgets on restart.

/** Refused for now: how long until the throttle lets the client try again. */
export class Throttled extends Error {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(`throttled for ${retryAfterSeconds} s`);
    this.name = "Throttled";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const secondsUntil = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** The GraphQL error for a throttled request: RATE_LIMITED with `extensions.retryAfterSeconds`. */
export function rateLimitedError(what: string, throttled: Throttled): GraphQLError {
  const { retryAfterSeconds } = throttled;
  return ErrorCode.RATE_LIMITED.err(`${what}; try again in ${retryAfterSeconds} seconds.`, { extensions: { retryAfterSeconds } });
}

// Keyed by a hash: a password typed into the e-mail field is never stored in clear, and keys stay short.
const hashed = (value: string) => createHash("sha256").update(value).digest("base64url");

const counter = (prisma: PrismaClient, keyPrefix: string, points: number, duration: number) =>
  new RateLimiterPrisma({ storeClient: prisma, tableName: "loginThrottle", keyPrefix, points, duration });

export interface CredentialThrottleLimits {
  /** Failures for one subject (an account, a service client) from one client address. */
  readonly perSubjectAndClient: number;
  /** Failures from one client address, whatever the subject. */
  readonly perClient: number;
  /**
   * Failures for one subject from anywhere, against guessing spread over many addresses; it never
   * refuses an address the subject succeeded from within `knownClientSeconds`. Null: no such ceiling.
   */
  readonly perSubject: { readonly failures: number; readonly knownClientSeconds: number } | null;
  readonly windowSeconds: number;
}

/** One attempt to prove who one is: the subject it names and the client address it comes from (null when unknown). */
export interface CredentialAttempt {
  readonly subject: string;
  readonly client: string | null;
}

/**
 * Failed attempts to prove a credential (a password, a client secret). Failures are counted per
 * subject *and* client address, so a stranger's guesses lock out the stranger's address, never the
 * subject's owner elsewhere; per client address across subjects, against one address trying many;
 * and optionally per subject across addresses, a ceiling that spares addresses the subject has
 * recently succeeded from. Once a count is used up within its window (counted from its first
 * failure), attempts it covers are refused until the window has passed, even with the right secret.
 */
export function createCredentialThrottle(prisma: PrismaClient, name: string, limits: CredentialThrottleLimits) {
  const perPair = counter(prisma, `${name}:subject+client`, limits.perSubjectAndClient, limits.windowSeconds);
  const perClient = counter(prisma, `${name}:client`, limits.perClient, limits.windowSeconds);
  const ceiling = limits.perSubject;
  const perSubject = ceiling && counter(prisma, `${name}:subject`, ceiling.failures, limits.windowSeconds);
  const knownClients = ceiling && counter(prisma, `${name}:known`, 1, ceiling.knownClientSeconds);
  // In-process calls have no address; they share one.
  const pairKey = (attempt: CredentialAttempt) => `${hashed(attempt.subject)}|${attempt.client ?? "in-process"}`;
  const usedUp = (res: RateLimiterRes | null, allowed: number) => (res !== null && res.consumedPoints >= allowed ? res : null);
  const isKnown = async (attempt: CredentialAttempt) =>
    knownClients !== null && attempt.client !== null && (await knownClients.get(pairKey(attempt))) !== null;

  return {
    /** Throws Throttled while a count covering this attempt is used up. */
    async assertAllowed(attempt: CredentialAttempt): Promise<void> {
      const [pair, client, subject] = await Promise.all([
        perPair.get(pairKey(attempt)),
        attempt.client === null ? null : perClient.get(attempt.client),
        perSubject?.get(hashed(attempt.subject)) ?? null,
      ]);
      const blocking = [usedUp(pair, limits.perSubjectAndClient), usedUp(client, limits.perClient)];
      const subjectUsedUp = ceiling && usedUp(subject, ceiling.failures);
      if (subjectUsedUp && !(await isKnown(attempt))) blocking.push(subjectUsedUp);
      const refusing = blocking.filter((res) => res !== null);
      if (refusing.length > 0) throw new Throttled(Math.max(...refusing.map(secondsUntil)));
    },

    async recordFailure(attempt: CredentialAttempt): Promise<void> {
      await Promise.all([
        perPair.penalty(pairKey(attempt), 1),
        attempt.client === null ? null : perClient.penalty(attempt.client, 1),
        perSubject?.penalty(hashed(attempt.subject), 1),
      ]);
    },

    /**
     * Clears the subject's failures from this address and remembers the address as one the subject
     * uses. The address's count across subjects and the subject's ceiling keep counting: a success
     * must not hand a guesser fresh attempts.
     */
    async recordSuccess(attempt: CredentialAttempt): Promise<void> {
      await Promise.all([
        perPair.delete(pairKey(attempt)),
        ceiling && knownClients && attempt.client !== null ? knownClients.set(pairKey(attempt), 1, ceiling.knownClientSeconds) : null,
      ]);
    },
  };
}

export type CredentialThrottle = ReturnType<typeof createCredentialThrottle>;

/** Requests of one kind per client address (e.g. sign-ups): after `perClient` within the window, refused until it ends. */
export function createClientThrottle(prisma: PrismaClient, name: string, limits: { perClient: number; windowSeconds: number }) {
  const perClient = counter(prisma, `${name}:client`, limits.perClient, limits.windowSeconds);
  return {
    /** Counts one request from `client` (in-process calls, without an address, are not counted); throws Throttled past the limit. */
    async take(client: string | null): Promise<void> {
      if (client === null) return;
      try {
        await perClient.consume(client, 1);
      } catch (error) {
        if (error instanceof RateLimiterRes) throw new Throttled(secondsUntil(error));
        throw error;
      }
    },
  };
}

export type ClientThrottle = ReturnType<typeof createClientThrottle>;
