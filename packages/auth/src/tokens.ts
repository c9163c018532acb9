import { ErrorCode } from "@storefront/errors";
import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWTPayload, jwtVerify } from "jose";
import { type Role, roles, type Viewer } from "./viewer.ts";

/**
 * The access-token contract between the users subgraph (which signs) and everyone who verifies:
 * EdDSA (Ed25519) JWTs with a `kid` header, these issuer and audience, `sub` = user id, `role`,
 * and `scope` (space-separated). Anything else is rejected, including `alg: none`.
 */
export const accessTokenContract = {
  algorithm: "EdDSA",
  issuer: "urn:storefront:users",
  audience: "urn:storefront:api",
} as const;

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  role: Role;
  scope: string;
}

export interface VerifierOptions {
  /** The users subgraph's JWKS: its URL (fetched, cached, refetched for an unknown `kid`) or the key set itself. */
  readonly jwks: URL | JSONWebKeySet;
  readonly issuer?: string;
  readonly audience?: string;
  /** Allowed clock difference between signer and verifier. */
  readonly clockToleranceSeconds?: number;
  /** With a JWKS URL: least time between two refetches for an unknown `kid` (default 30 s; it caps what random kids cost the signer). */
  readonly keyRefetchCooldownMs?: number;
  /** With a JWKS URL: how long fetched keys are trusted before the next token refetches them (default 10 min). */
  readonly keyCacheMaxAgeMs?: number;
  /** Verified tokens remembered until they expire (least recently used forgotten first); 0 verifies every time. Default 10,000. */
  readonly verifiedTokenCacheSize?: number;
}

/** Why a token was refused; clients see it as `extensions.reason` next to code UNAUTHENTICATED. */
export type TokenRejection = "expired" | "invalid_signature" | "unknown_key" | "invalid_claims" | "malformed" | "keys_unavailable";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function rejection(error: unknown): TokenRejection {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "invalid_signature";
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return "unknown_key";
  if (error instanceof errors.JWTClaimValidationFailed) return "invalid_claims";
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    (error instanceof Error && error.name === "TypeError")
  ) {
    return "keys_unavailable";
  }
  // jose reports a key-set endpoint that answers non-200 as a generic JOSEError: our outage, not a bad token.
  if (error instanceof errors.JOSEError && error.code === "ERR_JOSE_GENERIC" && /JSON Web Key Set/i.test(error.message))
    return "keys_unavailable";
  return "malformed";
}

const messages: Record<TokenRejection, string> = {
  expired: "The access token has expired; refresh it and retry.",
  invalid_signature: "The access token's signature is not valid.",
  unknown_key: "The access token was signed with a key this shop does not know.",
  invalid_claims: "The access token is not meant for this shop.",
  malformed: "The access token is malformed.",
  keys_unavailable: "The signing keys could not be fetched to check the access token; try again shortly.",
};

interface VerifiedToken {
  readonly viewer: Viewer;
  /** The token's `exp`, in ms: the entry is never used at or after it. */
  readonly expiresAtMs: number;
  /** The key that signed it: the entry is used only while the key set as last fetched still holds it. */
  readonly kid: string | undefined;
}

/**
 * Verified tokens until they expire: a bounded map in least-recently-used order (a hit moves its entry to the end,
 * the first entry is the one to forget). Only tokens that passed verification get in, so made-up tokens cannot crowd
 * out real ones any more than real traffic does.
 */
function createVerifiedTokenCache(maxEntries: number) {
  const entries = new Map<string, VerifiedToken>();
  return {
    get(token: string, now: number): VerifiedToken | undefined {
      const entry = entries.get(token);
      if (!entry) return undefined;
      entries.delete(token);
      if (now >= entry.expiresAtMs) return undefined;
      entries.set(token, entry);
      return entry;
    },
    set(token: string, entry: VerifiedToken): void {
      if (maxEntries <= 0) return;
      entries.delete(token);
      entries.set(token, entry);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
  };
}

/**
 * Verifies access tokens; resolves with the Viewer or rejects with an UNAUTHENTICATED GraphQLError.
 *
 * A verified token is remembered until its `exp` (never longer), so a client's every request, and every subgraph that
 * request reaches, do not check the same signature again. What a remembered token means for revocation: it is only as
 * trusted as the key set it was checked against. A hit counts only while the token's key (`kid`) is in the key set as
 * last fetched and that set is fresh (younger than keyCacheMaxAgeMs); past that the token is verified afresh, which
 * refetches the set. So taking a signing key out of the JWKS refuses its tokens exactly as soon as without the cache:
 * at the next fetch of the set (at once when a token with an unknown kid triggers one, else within keyCacheMaxAgeMs).
 * A token itself cannot be revoked before its `exp`, cache or not: access tokens are short-lived for that reason.
 */
export function createAccessTokenVerifier(options: VerifierOptions) {
  const remote =
    options.jwks instanceof URL
      ? createRemoteJWKSet(options.jwks, {
          cooldownDuration: options.keyRefetchCooldownMs ?? 30_000,
          cacheMaxAge: options.keyCacheMaxAgeMs ?? 600_000,
        })
      : null;
  const keys = remote ?? createLocalJWKSet(options.jwks as JSONWebKeySet);
  const verified = createVerifiedTokenCache(options.verifiedTokenCacheSize ?? 10_000);
  // The kids of the key set as last fetched; refreshed after every full verification (the only time jose refetches).
  let publishedKids: ReadonlySet<string | undefined> | null = remote ? new Set() : null;
  const notePublishedKids = () => {
    if (remote) publishedKids = new Set((remote.jwks()?.keys ?? []).map((key) => key.kid));
  };

  return async function verifyAccessToken(token: string): Promise<Viewer> {
    const remembered = verified.get(token, Date.now());
    if (remembered && (!remote || (remote.fresh && publishedKids?.has(remembered.kid)))) return remembered.viewer;
    try {
      const { payload, protectedHeader } = await jwtVerify<AccessTokenClaims>(token, keys, {
        algorithms: [accessTokenContract.algorithm],
        issuer: options.issuer ?? accessTokenContract.issuer,
        audience: options.audience ?? accessTokenContract.audience,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        requiredClaims: ["sub", "exp", "iat"],
      });
      if (!roles.includes(payload.role)) throw new errors.JWTClaimValidationFailed("unknown role", payload, "role", "check_failed");
      // Every id in the graph is a UUID; a token naming anything else names nobody.
      if (!UUID.test(payload.sub)) throw new errors.JWTClaimValidationFailed("sub is not a user id", payload, "sub", "check_failed");
      const viewer: Viewer = Object.freeze({
        userId: payload.sub,
        role: payload.role,
        scopes: Object.freeze((payload.scope ?? "").split(" ").filter(Boolean)),
      });
      verified.set(token, { viewer, expiresAtMs: (payload.exp ?? 0) * 1000, kid: protectedHeader.kid });
      return viewer;
    } catch (error) {
      const reason = rejection(error);
      throw ErrorCode.UNAUTHENTICATED.err(messages[reason], { extensions: { reason }, cause: error });
    } finally {
      notePublishedKids();
    }
  };
}

export type VerifyAccessToken = ReturnType<typeof createAccessTokenVerifier>;

/** The bearer token of an Authorization header, null when there is none; a non-Bearer scheme is refused. */
export function bearerToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(authorization);
  if (!match?.[1])
    throw ErrorCode.UNAUTHENTICATED.err("Send the access token as `Authorization: Bearer <token>`.", {
      extensions: { reason: "malformed" },
    });
  return match[1];
}

/** The viewer of a request: null without a token, the verified viewer with a good one, UNAUTHENTICATED otherwise. */
export async function viewerFromAuthorization(authorization: string | undefined, verify: VerifyAccessToken): Promise<Viewer | null> {
  const token = bearerToken(authorization);
  return token === null ? null : verify(token);
}
