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

/** Verifies access tokens; resolves with the Viewer or rejects with an UNAUTHENTICATED GraphQLError. */
export function createAccessTokenVerifier(options: VerifierOptions) {
  const keys =
    options.jwks instanceof URL
      ? createRemoteJWKSet(options.jwks, {
          cooldownDuration: options.keyRefetchCooldownMs ?? 30_000,
          cacheMaxAge: options.keyCacheMaxAgeMs ?? 600_000,
        })
      : createLocalJWKSet(options.jwks);
  return async function verifyAccessToken(token: string): Promise<Viewer> {
    try {
      const { payload } = await jwtVerify<AccessTokenClaims>(token, keys, {
        algorithms: [accessTokenContract.algorithm],
        issuer: options.issuer ?? accessTokenContract.issuer,
        audience: options.audience ?? accessTokenContract.audience,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        requiredClaims: ["sub", "exp", "iat"],
      });
      if (!roles.includes(payload.role)) throw new errors.JWTClaimValidationFailed("unknown role", payload, "role", "check_failed");
      // Every id in the graph is a UUID; a token naming anything else names nobody.
      if (!UUID.test(payload.sub)) throw new errors.JWTClaimValidationFailed("sub is not a user id", payload, "sub", "check_failed");
      return { userId: payload.sub, role: payload.role, scopes: (payload.scope ?? "").split(" ").filter(Boolean) };
    } catch (error) {
      const reason = rejection(error);
      throw ErrorCode.UNAUTHENTICATED.err(messages[reason], { extensions: { reason }, cause: error });
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
