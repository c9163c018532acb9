// The verifier remembers tokens it verified until they expire: a client's next request (and every subgraph that
// verifies the same token) checks no signature again, while an expired token or one whose key was taken out of the
// JWKS is refused as it would be without the cache. Signature checks are counted through WebCrypto itself.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import type { GraphQLError } from "graphql";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { accessTokenContract, createAccessTokenVerifier } from "../src/index.ts";

async function signingKey(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
  /** A customer's access token, expiring `expiresIn` seconds from now. */
  const sign = (expiresIn = 300, subject: string = randomUUID()) =>
    new SignJWT({ role: "CUSTOMER", scope: "" })
      .setProtectedHeader({ alg: "EdDSA", kid })
      .setIssuer(accessTokenContract.issuer)
      .setAudience(accessTokenContract.audience)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
      .sign(privateKey);
  return { publicJwk, sign };
}

const reasonOf = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => "accepted",
    (error: GraphQLError) => error.extensions.reason,
  );

describe("verified-token cache", () => {
  // Every signature check jose makes goes through WebCrypto's verify: counting those counts full verifications.
  const subtle = globalThis.crypto.subtle;
  const originalVerify = subtle.verify;
  let signatureChecks = 0;
  beforeEach(() => {
    signatureChecks = 0;
    subtle.verify = function countedVerify(this: typeof subtle, ...args: Parameters<typeof originalVerify>) {
      signatureChecks++;
      return originalVerify.apply(this, args);
    } as typeof originalVerify;
  });
  afterEach(() => {
    subtle.verify = originalVerify;
  });

  const published: JWK[] = [];
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: published }));
  });
  let jwks: URL;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    jwks = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`);
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("checks a token's signature once, then answers the same viewer from memory", async () => {
    const key = await signingKey("once");
    published.splice(0, published.length, key.publicJwk);
    const verify = createAccessTokenVerifier({ jwks });
    const userId = randomUUID();
    const token = await key.sign(300, userId);
    const first = await verify(token);
    for (let i = 0; i < 5; i++) assert.deepEqual(await verify(token), first);
    assert.deepEqual(first, { userId, role: "CUSTOMER", scopes: [] });
    assert.equal(signatureChecks, 1);
    assert.ok(Object.isFrozen(first), "the remembered viewer cannot be changed by one request for the next");
  });

  it("checks every time with verifiedTokenCacheSize 0, and never remembers a token it refused", async () => {
    const key = await signingKey("uncached");
    published.splice(0, published.length, key.publicJwk);
    const token = await key.sign();
    const uncached = createAccessTokenVerifier({ jwks, verifiedTokenCacheSize: 0 });
    await uncached(token);
    await uncached(token);
    assert.equal(signatureChecks, 2);

    const verify = createAccessTokenVerifier({ jwks });
    const [header, payload] = token.split(".");
    const forged = `${header}.${payload}.${"A".repeat(86)}`;
    assert.equal(await reasonOf(verify(forged)), "invalid_signature");
    assert.equal(await reasonOf(verify(forged)), "invalid_signature");
    assert.equal(signatureChecks, 4, "a refused token is checked again each time");
  });

  it("remembers a token until its exp and never longer: afterwards it is verified again and refused as expired", async () => {
    const key = await signingKey("expiring");
    published.splice(0, published.length, key.publicJwk);
    const verify = createAccessTokenVerifier({ jwks, clockToleranceSeconds: 0 });
    const token = await key.sign(1);
    const exp = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()).exp as number;
    assert.equal(await reasonOf(verify(token)), "accepted");
    assert.equal(await reasonOf(verify(token)), "accepted");
    assert.equal(signatureChecks, 1);
    // wait for the wall clock to pass the token's exp (at most about a second)
    while (Date.now() < exp * 1000) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await reasonOf(verify(token)), "expired");
  });

  it("forgets the least recently used token beyond verifiedTokenCacheSize", async () => {
    const key = await signingKey("bounded");
    published.splice(0, published.length, key.publicJwk);
    const verify = createAccessTokenVerifier({ jwks, verifiedTokenCacheSize: 2 });
    const [a, b, c] = await Promise.all([key.sign(), key.sign(), key.sign()]);
    for (const token of [a, b, a, c]) await verify(token as string);
    assert.equal(signatureChecks, 3, "a, b, c checked once; a again from memory");
    await verify(a as string);
    assert.equal(signatureChecks, 3, "a was used recently, so b went when c came");
    await verify(b as string);
    assert.equal(signatureChecks, 4, "b was forgotten");
  });

  it("refuses a remembered token once its signing key is taken out of the JWKS and a token with an unknown kid makes the verifier fetch the set again", async () => {
    const revoked = await signingKey("revoked");
    const successor = await signingKey("successor");
    published.splice(0, published.length, revoked.publicJwk);
    const verify = createAccessTokenVerifier({ jwks, keyRefetchCooldownMs: 0 });
    const remembered = await revoked.sign();
    assert.equal(await reasonOf(verify(remembered)), "accepted");
    assert.equal(await reasonOf(verify(remembered)), "accepted");

    // The operator revokes the key: only the successor is published now.
    published.splice(0, published.length, successor.publicJwk);
    const fetchesBefore = fetches;
    assert.equal(await reasonOf(verify(await successor.sign())), "accepted");
    assert.equal(fetches, fetchesBefore + 1, "the successor's unknown kid fetched the set");
    assert.equal(await reasonOf(verify(remembered)), "unknown_key");
  });

  it("refuses a remembered token whose key was taken out of the JWKS once the fetched set is older than keyCacheMaxAgeMs", async () => {
    const revoked = await signingKey("aged-out");
    published.splice(0, published.length, revoked.publicJwk);
    const verify = createAccessTokenVerifier({ jwks, keyCacheMaxAgeMs: 200 });
    const remembered = await revoked.sign();
    assert.equal(await reasonOf(verify(remembered)), "accepted");
    published.splice(0, published.length);
    // wait until the fetched key set is stale (bounded: a fifth of a second)
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(await reasonOf(verify(remembered)), "unknown_key");
  });
});
