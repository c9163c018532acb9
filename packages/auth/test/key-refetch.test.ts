import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { accessTokenContract, createAccessTokenVerifier } from "../src/index.ts";

async function signingKey(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
  const sign = () =>
    new SignJWT({ role: "CUSTOMER", scope: "" })
      .setProtectedHeader({ alg: "EdDSA", kid })
      .setIssuer(accessTokenContract.issuer)
      .setAudience(accessTokenContract.audience)
      .setSubject("0b9a6c2e-3f41-4d5e-9a7b-1c2d3e4f5a6b")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
  return { publicJwk, sign };
}

describe("JWKS refetch for an unknown kid", () => {
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

  it("waits out the default cooldown before refetching, so random kids cannot hammer the signer", async () => {
    const first = await signingKey("cooldown-1");
    const second = await signingKey("cooldown-2");
    published.splice(0, published.length, first.publicJwk);
    const verify = createAccessTokenVerifier({ jwks });
    await verify(await first.sign());
    published.push(second.publicJwk);
    const fetchesBefore = fetches;
    await assert.rejects(verify(await second.sign()), (error: { extensions?: Record<string, unknown> }) => {
      assert.equal(error.extensions?.reason, "unknown_key");
      return true;
    });
    assert.equal(fetches, fetchesBefore, "no refetch inside the cooldown");
  });

  it("refetches at once for an unknown kid when keyRefetchCooldownMs is 0 (a newly rotated key)", async () => {
    const first = await signingKey("rotation-1");
    const second = await signingKey("rotation-2");
    published.splice(0, published.length, first.publicJwk);
    const verify = createAccessTokenVerifier({ jwks, keyRefetchCooldownMs: 0 });
    await verify(await first.sign());
    published.push(second.publicJwk);
    const viewer = await verify(await second.sign());
    assert.equal(viewer.userId, "0b9a6c2e-3f41-4d5e-9a7b-1c2d3e4f5a6b");
  });
});
