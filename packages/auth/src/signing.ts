import { randomUUID } from "node:crypto";
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
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

/**
 * Signs an access token for a user: exactly the claims of the contract (iss, aud, sub, role,
 * scope, iat, exp, jti), EdDSA, with the signer's `kid` in the header.
 */
export async function signAccessToken(
  subject: { readonly userId: string; readonly role: Role },
  signer: AccessTokenSigner,
  options: { readonly ttlSeconds: number; readonly now?: Date },
): Promise<SignedAccessToken> {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const expiresAt = issuedAt + options.ttlSeconds;
  const jti = randomUUID();
  const token = await new SignJWT({ role: subject.role, scope: scopesOf(subject.role).join(" ") })
    .setProtectedHeader({ alg: accessTokenContract.algorithm, kid: signer.kid, typ: "at+jwt" })
    .setIssuer(accessTokenContract.issuer)
    .setAudience(accessTokenContract.audience)
    .setSubject(subject.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(jti)
    .sign(signer.privateKey);
  return { token, expiresAt: new Date(expiresAt * 1000), jti };
}
