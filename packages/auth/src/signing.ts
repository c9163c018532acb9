import { randomUUID } from "node:crypto";
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import { serviceClientOf } from "./service-clients.ts";
import { accessTokenContract } from "./tokens.ts";
import { type Role, scopesOf } from "./viewer.ts";

// The signing half of the access-token contract, next to its verifying half (tokens.ts) so the
// two can never drift apart. Only the users subgraph signs.

/** An Ed25519 key pair as JWKs; `kid` is the RFC 7638 thumbprint of the public key. */
export interface SigningKeyPair {
  readonly kid: string;
  /** Safe to publish in a JWKS: `kty`, `crv`, `x`, `kid`, `alg`, `use`. */
  readonly publicJwk: JWK;
  /** Secret: includes `d`. */
  readonly privateJwk: JWK;
}

/** A private key ready to sign, with the `kid` verifiers find it by. */
export interface AccessTokenSigner {
  readonly kid: string;
  readonly privateKey: CryptoKey;
}

export interface SignedAccessToken {
  readonly token: string;
  readonly expiresAt: Date;
  /** The token's unique id (`jti`). */
  readonly jti: string;
}

/** Generates a new Ed25519 signing key pair for access tokens. */
export async function generateSigningKeyPair(): Promise<SigningKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(accessTokenContract.algorithm, { crv: "Ed25519", extractable: true });
  const publicParts = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicParts, "sha256");
  const labels = { kid, alg: accessTokenContract.algorithm, use: "sig" };
  return { kid, publicJwk: { ...publicParts, ...labels }, privateJwk: { ...(await exportJWK(privateKey)), ...labels } };
}

/** Turns a stored private JWK back into a key that signs access tokens. */
export async function importAccessTokenSigner(kid: string, privateJwk: JWK): Promise<AccessTokenSigner> {
  const privateKey = await importJWK(privateJwk, accessTokenContract.algorithm);
  if (!("type" in privateKey) || privateKey.type !== "private") throw new Error(`signing key ${kid} is not a private key`);
  return { kid, privateKey };
}

/** Signs the contract's claims (iss, aud, sub, iat, exp, jti plus `claims`), EdDSA, with the signer's `kid` in the header. */
async function signToken(
  subject: string,
  claims: Record<string, unknown>,
  signer: AccessTokenSigner,
  options: { readonly ttlSeconds: number; readonly now?: Date | undefined },
): Promise<SignedAccessToken> {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const expiresAt = issuedAt + options.ttlSeconds;
  const jti = randomUUID();
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: accessTokenContract.algorithm, kid: signer.kid, typ: "at+jwt" })
    .setIssuer(accessTokenContract.issuer)
    .setAudience(accessTokenContract.audience)
    .setSubject(subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(jti)
    .sign(signer.privateKey);
  return { token, expiresAt: new Date(expiresAt * 1000), jti };
}

/** Signs an access token for a user: the contract's claims with the user's id as `sub`, their `role` and its scopes. */
export function signAccessToken(
  subject: { readonly userId: string; readonly role: Role },
  signer: AccessTokenSigner,
  options: { readonly ttlSeconds: number; readonly now?: Date },
): Promise<SignedAccessToken> {
  return signToken(subject.userId, { role: subject.role, scope: scopesOf(subject.role).join(" ") }, signer, options);
}

/**
 * Signs a service's token (OAuth 2.0 client credentials): `sub` is the client's fixed subject, `role` SERVICE,
 * `client_id` the client (RFC 9068), `scope` the granted scopes, which must all be the client's.
 */
export function signServiceToken(
  clientId: string,
  scopes: readonly string[],
  signer: AccessTokenSigner,
  options: { readonly ttlSeconds: number; readonly now?: Date },
): Promise<SignedAccessToken> {
  const client = serviceClientOf(clientId);
  if (!client) throw new Error(`unknown service client ${clientId}`);
  const foreign = scopes.filter((scope) => !client.scopes.includes(scope));
  if (foreign.length > 0) throw new Error(`service client ${clientId} may not hold ${foreign.join(", ")}`);
  return signToken(client.subject, { role: "SERVICE", client_id: clientId, scope: scopes.join(" ") }, signer, options);
}
