import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { GraphQLError } from "graphql";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { accessTokenContract, createAccessTokenVerifier, requireScopes, type Viewer } from "../src/index.ts";

const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "EdDSA", use: "sig" }] };

const token = (subject: string) =>
  new SignJWT({ role: "CUSTOMER", scope: "" })
    .setProtectedHeader({ alg: "EdDSA", kid: "k1" })
    .setIssuer(accessTokenContract.issuer)
    .setAudience(accessTokenContract.audience)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(privateKey);

const reasonOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return { code: (error as GraphQLError).extensions.code, reason: (error as GraphQLError).extensions.reason };
  }
  return undefined;
};

describe("access tokens", () => {
  it("names the user by a UUID subject and refuses a token whose subject is not one", async () => {
    const verify = createAccessTokenVerifier({ jwks });
    const userId = randomUUID();
    assert.deepEqual(await verify(await token(userId)), { userId, role: "CUSTOMER", scopes: [] });
    assert.deepEqual(await reasonOf(verify(await token("admin"))), { code: "UNAUTHENTICATED", reason: "invalid_claims" });
  });

  describe("when the key set endpoint fails", () => {
    const server = createServer((_req, res) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("down");
    });
    let url: URL;
    before(async () => {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`);
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("says the keys are unavailable rather than blaming the token", async () => {
      const verify = createAccessTokenVerifier({ jwks: url });
      assert.deepEqual(await reasonOf(verify(await token(randomUUID()))), { code: "UNAUTHENTICATED", reason: "keys_unavailable" });
    });
  });
});

describe("requireScopes", () => {
  const viewer = (scopes: string[]): Viewer => ({ userId: randomUUID(), role: "CUSTOMER", scopes });
  it("passes when every scope of one alternative is held, as @requiresScopes does", () => {
    assert.doesNotThrow(() => requireScopes(viewer(["inventory:reserve"]), [["admin"], ["inventory:reserve"]]));
    assert.doesNotThrow(() => requireScopes(viewer(["a", "b"]), [["a", "b"]]));
  });
  it("refuses a viewer missing a scope of every alternative, and anonymous callers", () => {
    assert.throws(
      () => requireScopes(viewer(["a"]), [["a", "b"], ["admin"]]),
      (e: GraphQLError) => e.extensions.code === "FORBIDDEN",
    );
    assert.throws(
      () => requireScopes(null, [["admin"]]),
      (e: GraphQLError) => e.extensions.code === "UNAUTHENTICATED",
    );
  });
});
