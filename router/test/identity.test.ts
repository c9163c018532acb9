import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { newSigningKey, signToken, startJwksServer, type TestJwksServer, type TestSigningKey, unsignedToken } from "./support/keys.ts";
import { post, startTestRouter, type TestRouter } from "./support/router.ts";
import { alice, startTestShop, type TestShop } from "./support/shop.ts";

interface SeenHeaders {
  requestId: string | null;
  authorization: string | null;
  forwardedFor: string | null;
  viewerId: string | null;
}

const seenByBothSubgraphs = `{
  seenHeaders { requestId authorization forwardedFor viewerId }
  user(id: "${alice.id}") { seenByOrders { requestId authorization forwardedFor viewerId } }
}`;

describe("router identity", () => {
  let key: TestSigningKey;
  let jwks: TestJwksServer;
  let shop: TestShop;
  let router: TestRouter;

  before(async () => {
    key = await newSigningKey("signing-key-1");
    jwks = await startJwksServer([key]);
    shop = await startTestShop(jwks.url);
    router = await startTestRouter(shop.supergraphSdl, jwks.url);
  });
  after(async () => {
    await router?.close();
    await shop?.close();
    await jwks?.close();
  });

  describe("bearer tokens", () => {
    it("serves a request without an Authorization header anonymously", async () => {
      const { status, body } = await post<{ shopName: string; seenHeaders: SeenHeaders }>(
        router.url,
        "{ shopName seenHeaders { authorization viewerId } }",
      );
      assert.equal(status, 200);
      assert.deepEqual(body.data, { shopName: "Test shop", seenHeaders: { authorization: null, viewerId: null } });
    });

    it("serves a request with a valid token as its user", async () => {
      const token = await signToken(key, { userId: alice.id });
      const { status, body } = await post<{ me: { name: string } }>(router.url, "{ me { name } }", { token });
      assert.equal(status, 200);
      assert.deepEqual(body, { data: { me: { name: "Alice" } } });
    });

    const refusals: Array<{ what: string; reason: string; authorization: (key: TestSigningKey) => Promise<string> }> = [
      {
        what: "a token signed by a key other than the one its kid names",
        reason: "invalid_signature",
        authorization: async (signingKey) => {
          const impostor = await newSigningKey(signingKey.kid);
          return `Bearer ${await signToken(impostor, { userId: alice.id, role: "ADMIN" })}`;
        },
      },
      {
        what: "an expired token",
        reason: "expired",
        authorization: async (signingKey) => `Bearer ${await signToken(signingKey, { userId: alice.id, expiresIn: -60 })}`,
      },
      {
        what: "an unsigned token (alg: none)",
        reason: "malformed",
        authorization: async () => `Bearer ${unsignedToken({ userId: alice.id, role: "ADMIN" })}`,
      },
      {
        what: "a token from another issuer",
        reason: "invalid_claims",
        authorization: async (signingKey) => `Bearer ${await signToken(signingKey, { userId: alice.id, issuer: "urn:someone:else" })}`,
      },
      {
        what: "a token for another audience",
        reason: "invalid_claims",
        authorization: async (signingKey) => `Bearer ${await signToken(signingKey, { userId: alice.id, audience: "urn:other:api" })}`,
      },
      {
        what: "a token signed with a key the JWKS does not list",
        reason: "unknown_key",
        authorization: async () => `Bearer ${await signToken(await newSigningKey("never-published"), { userId: alice.id })}`,
      },
      { what: "another authorization scheme", reason: "malformed", authorization: async () => "Basic YWxpY2U6c2VjcmV0" },
      { what: "a Bearer header without a token", reason: "malformed", authorization: async () => "Bearer" },
      { what: "a bearer value that is not a JWT", reason: "malformed", authorization: async () => "Bearer not-a-jwt" },
    ];

    for (const { what, reason, authorization } of refusals) {
      it(`answers ${what} with 401 UNAUTHENTICATED (${reason}) and executes nothing`, async () => {
        const before = shop.requestsReceived.count;
        const { status, headers, body } = await post(router.url, "mutation { ping }", {
          headers: { authorization: await authorization(key) },
        });
        assert.equal(status, 401);
        assert.match(headers.get("www-authenticate") ?? "", /^Bearer error="invalid_token"/);
        assert.equal(body.data, undefined);
        assert.equal(body.errors?.length, 1);
        assert.equal(body.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
        assert.equal(body.errors?.[0]?.extensions?.reason, reason);
        assert.equal(shop.requestsReceived.count, before, "no subgraph was called");
      });
    }

    it("answers 503 (not 401) when the signing keys cannot be fetched, so clients keep their tokens and retry", async () => {
      const cutOff = await startTestRouter(shop.supergraphSdl, new URL("http://127.0.0.1:1/.well-known/jwks.json"));
      try {
        const before = shop.requestsReceived.count;
        const { status, headers, body } = await post(cutOff.url, "mutation { ping }", {
          token: await signToken(key, { userId: alice.id }),
        });
        assert.equal(status, 503);
        assert.ok(headers.get("retry-after"));
        assert.equal(body.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
        assert.equal(body.errors?.[0]?.extensions?.reason, "keys_unavailable");
        assert.equal(shop.requestsReceived.count, before, "no subgraph was called");
        const anonymous = await post(cutOff.url, "{ shopName }");
        assert.equal(anonymous.status, 200, "anonymous requests need no keys");
      } finally {
        await cutOff.close();
      }
    });

    it("accepts a token signed with a newly published key without a restart (key rotation)", async () => {
      // The router has fetched and cached the key set by now.
      assert.equal((await post(router.url, "{ me { name } }", { token: await signToken(key, { userId: alice.id }) })).status, 200);
      const rotated = await newSigningKey("signing-key-2");
      const token = await signToken(rotated, { userId: alice.id });
      const early = await post(router.url, "{ me { name } }", { token });
      assert.equal(early.status, 401, "not accepted before the users subgraph publishes the key");
      assert.equal(early.body.errors?.[0]?.extensions?.reason, "unknown_key");

      jwks.publish(rotated);
      const fetchesBefore = jwks.fetches.count;
      const { status, body } = await post<{ me: { name: string } }>(router.url, "{ me { name } }", { token });
      assert.equal(status, 200);
      assert.deepEqual(body, { data: { me: { name: "Alice" } } });
      assert.ok(jwks.fetches.count > fetchesBefore, "the unknown kid made the router fetch the key set again");
      const old = await post(router.url, "{ me { name } }", { token: await signToken(key, { userId: alice.id }) });
      assert.equal(old.status, 200, "tokens signed with the previous key stay valid while it is published");
    });
  });

  describe("what subgraphs receive", () => {
    it("forwards the client's request id to every subgraph it calls", async () => {
      const { headers, body } = await post<{ seenHeaders: SeenHeaders; user: { seenByOrders: SeenHeaders } }>(
        router.url,
        seenByBothSubgraphs,
        {
          headers: { "x-request-id": "checkout-trace-42" },
        },
      );
      assert.equal(headers.get("x-request-id"), "checkout-trace-42");
      assert.equal(body.data?.seenHeaders.requestId, "checkout-trace-42");
      assert.equal(body.data?.user.seenByOrders.requestId, "checkout-trace-42");
    });

    it("forwards the Authorization header unchanged, and each subgraph verifies the same viewer itself", async () => {
      const token = await signToken(key, { userId: alice.id });
      const { body } = await post<{ seenHeaders: SeenHeaders; user: { seenByOrders: SeenHeaders } }>(router.url, seenByBothSubgraphs, {
        token,
      });
      for (const seen of [body.data?.seenHeaders, body.data?.user.seenByOrders]) {
        assert.equal(seen?.authorization, `Bearer ${token}`);
        assert.equal(seen?.viewerId, alice.id);
      }
    });

    it("forwards no Authorization header for an anonymous request", async () => {
      const { body } = await post<{ seenHeaders: SeenHeaders; user: { seenByOrders: SeenHeaders } }>(router.url, seenByBothSubgraphs);
      assert.equal(body.data?.seenHeaders.authorization, null);
      assert.equal(body.data?.user.seenByOrders.authorization, null);
    });

    it("appends the client's address to X-Forwarded-For", async () => {
      const direct = await post<{ seenHeaders: SeenHeaders; user: { seenByOrders: SeenHeaders } }>(router.url, seenByBothSubgraphs);
      assert.equal(direct.body.data?.seenHeaders.forwardedFor, "127.0.0.1");
      assert.equal(direct.body.data?.user.seenByOrders.forwardedFor, "127.0.0.1");
      const proxied = await post<{ seenHeaders: SeenHeaders }>(router.url, "{ seenHeaders { forwardedFor } }", {
        headers: { "x-forwarded-for": "203.0.113.7, 198.51.100.2" },
      });
      assert.equal(proxied.body.data?.seenHeaders.forwardedFor, "203.0.113.7, 198.51.100.2, 127.0.0.1");
    });
  });
});
