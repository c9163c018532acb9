import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { decodeJwt, decodeProtectedHeader } from "jose";
import {
  accessTokenContract,
  createAccessTokenVerifier,
  generateSigningKeyPair,
  importAccessTokenSigner,
  signAccessToken,
} from "../src/index.ts";

const aSigner = async () => {
  const pair = await generateSigningKeyPair();
  return { pair, signer: await importAccessTokenSigner(pair.kid, pair.privateJwk) };
};

describe("signing access tokens", () => {
  it("signs tokens that the verifier accepts, as the user with their role's scopes", async () => {
    const { pair, signer } = await aSigner();
    const verify = createAccessTokenVerifier({ jwks: { keys: [pair.publicJwk] } });
    const admin = randomUUID();
    const customer = randomUUID();

    const adminToken = await signAccessToken({ userId: admin, role: "ADMIN" }, signer, { ttlSeconds: 900 });
    const customerToken = await signAccessToken({ userId: customer, role: "CUSTOMER" }, signer, { ttlSeconds: 900 });

    assert.deepEqual(await verify(adminToken.token), { userId: admin, role: "ADMIN", scopes: ["admin"] });
    assert.deepEqual(await verify(customerToken.token), { userId: customer, role: "CUSTOMER", scopes: [] });
  });

  it("puts exactly the contract's claims in the token and the key id in its header", async () => {
    const { pair, signer } = await aSigner();
    const userId = randomUUID();
    const now = new Date("2030-01-01T00:00:00Z");

    const signed = await signAccessToken({ userId, role: "CUSTOMER" }, signer, { ttlSeconds: 600, now });

    assert.deepEqual(decodeProtectedHeader(signed.token), { alg: "EdDSA", kid: pair.kid, typ: "at+jwt" });
    const claims = decodeJwt(signed.token);
    assert.deepEqual(Object.keys(claims).sort(), ["aud", "exp", "iat", "iss", "jti", "role", "scope", "sub"]);
    assert.equal(claims.iss, accessTokenContract.issuer);
    assert.equal(claims.aud, accessTokenContract.audience);
    assert.equal(claims.sub, userId);
    assert.equal(claims.iat, now.getTime() / 1000);
    assert.equal(claims.exp, now.getTime() / 1000 + 600);
    assert.equal(claims.jti, signed.jti);
    assert.equal(signed.expiresAt.toISOString(), "2030-01-01T00:10:00.000Z");
  });

  it("publishes only the public half of a key, labelled for EdDSA signatures", async () => {
    const { pair } = await aSigner();
    assert.deepEqual(Object.keys(pair.publicJwk).sort(), ["alg", "crv", "kid", "kty", "use", "x"]);
    assert.equal(pair.publicJwk.crv, "Ed25519");
    assert.equal(typeof pair.privateJwk.d, "string");
  });

  it("signs with a key the verifier does not know only into a rejected token", async () => {
    const { signer } = await aSigner();
    const { pair: other } = await aSigner();
    const verify = createAccessTokenVerifier({ jwks: { keys: [other.publicJwk] } });
    const { token } = await signAccessToken({ userId: randomUUID(), role: "ADMIN" }, signer, { ttlSeconds: 600 });
    await assert.rejects(verify(token), (error: Error & { extensions?: Record<string, unknown> }) => {
      assert.equal(error.extensions?.code, "UNAUTHENTICATED");
      assert.equal(error.extensions?.reason, "unknown_key");
      return true;
    });
  });
});
