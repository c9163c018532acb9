import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, afterEach, before, describe, it, mock } from "node:test";
import { GraphQLError } from "graphql";
import { decodeJwt } from "jose";
import {
  canAccessUser,
  createAccessTokenVerifier,
  createServiceTokenSource,
  generateSigningKeyPair,
  importAccessTokenSigner,
  requireSelfOrAdmin,
  serviceClientOf,
  serviceScopes,
  signServiceToken,
  type Viewer,
} from "../src/index.ts";

const pair = await generateSigningKeyPair();
const signer = await importAccessTokenSigner(pair.kid, pair.privateJwk);
const verify = createAccessTokenVerifier({ jwks: { keys: [pair.publicJwk] } });

const orders = serviceClientOf("orders");
assert.ok(orders, "the orders service client is registered");

const codeOf = (error: unknown) => (error instanceof GraphQLError ? error.extensions.code : undefined);

describe("signing service tokens", () => {
  it("signs a token the verifier accepts as role SERVICE, the client's subject and the granted scopes", async () => {
    const { token } = await signServiceToken("orders", orders.scopes, signer, { ttlSeconds: 300 });

    assert.deepEqual(await verify(token), { userId: orders.subject, role: "SERVICE", scopes: [...orders.scopes] });
    const claims = decodeJwt(token);
    assert.equal(claims.client_id, "orders");
    assert.equal(claims.exp, (claims.iat ?? 0) + 300);
  });

  it("grants only the scopes asked for when they are fewer than the client's", async () => {
    const { token } = await signServiceToken("orders", [serviceScopes.readCarts], signer, { ttlSeconds: 300 });
    assert.deepEqual((await verify(token)).scopes, ["cart:read"]);
  });

  it("refuses an unknown client and a scope the client is not registered for", async () => {
    assert.throws(() => signServiceToken("payments", [], signer, { ttlSeconds: 300 }), /unknown service client payments/);
    // inherited Object.prototype names are no clients either
    assert.throws(() => signServiceToken("constructor", [], signer, { ttlSeconds: 300 }), /unknown service client/);
    assert.throws(
      () => signServiceToken("orders", [serviceScopes.readCarts, "admin"], signer, { ttlSeconds: 300 }),
      /service client orders may not hold admin/,
    );
  });
});

describe("a service's access to a customer's data", () => {
  const customerId = randomUUID();
  const service = (scopes: readonly string[]): Viewer => ({ userId: orders.subject, role: "SERVICE", scopes });

  it("lets a service through when its token holds the scope the data asks for", () => {
    const checkout = service([serviceScopes.readCarts]);
    assert.equal(canAccessUser(checkout, customerId, serviceScopes.readCarts), true);
    assert.equal(requireSelfOrAdmin(checkout, customerId, serviceScopes.readCarts), checkout);
  });

  it("refuses a service without that scope, or where the data names no service scope, with FORBIDDEN", () => {
    const withOtherScopes = service([serviceScopes.reserveStock, serviceScopes.readAddresses]);
    assert.equal(canAccessUser(withOtherScopes, customerId, serviceScopes.readCarts), false);
    assert.throws(
      () => requireSelfOrAdmin(withOtherScopes, customerId, serviceScopes.readCarts),
      (error) => {
        assert.equal(codeOf(error), "FORBIDDEN");
        return true;
      },
    );
    const withAll = service(orders.scopes);
    assert.equal(canAccessUser(withAll, customerId), false);
    assert.throws(
      () => requireSelfOrAdmin(withAll, customerId),
      (error) => codeOf(error) === "FORBIDDEN",
    );
  });

  it("never lets a customer through by a scope, even one their token claims", () => {
    const customer: Viewer = { userId: randomUUID(), role: "CUSTOMER", scopes: [serviceScopes.readCarts] };
    assert.equal(canAccessUser(customer, customerId, serviceScopes.readCarts), false);
    assert.throws(
      () => requireSelfOrAdmin(customer, customerId, serviceScopes.readCarts),
      (error) => codeOf(error) === "FORBIDDEN",
    );
    // …while the customer's own data and an admin's access are unchanged by the extra argument
    assert.equal(canAccessUser(customer, customer.userId, serviceScopes.readCarts), true);
    assert.equal(canAccessUser({ userId: randomUUID(), role: "ADMIN", scopes: ["admin"] }, customerId, serviceScopes.readCarts), true);
  });

  it("asks anonymous callers to sign in", () => {
    assert.equal(canAccessUser(null, customerId, serviceScopes.readCarts), false);
    assert.throws(
      () => requireSelfOrAdmin(null, customerId, serviceScopes.readCarts),
      (error) => codeOf(error) === "UNAUTHENTICATED",
    );
  });
});

/** What the fake token endpoint answers; `delayMs` holds the answer back. */
type Answer = { readonly status: number; readonly body: unknown; readonly delayMs?: number };
type Seen = {
  readonly method: string | undefined;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
};

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

describe("service token source (client credentials)", () => {
  // A stand-in token endpoint outside the product: it records each request and answers as the test says.
  const seen: Seen[] = [];
  let answer: (n: number) => Answer = () => ({ status: 500, body: {} });
  const server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    seen.push({ method: req.method, authorization: req.headers.authorization, contentType: req.headers["content-type"], body });
    const { status, body: reply, delayMs = 0 } = answer(seen.length);
    setTimeout(() => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(reply));
    }, delayMs);
  });
  let tokenUrl: URL;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    tokenUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`);
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => {
    seen.length = 0;
    mock.timers.reset();
  });

  const issuing =
    (expiresIn: number, delayMs = 0) =>
    (n: number): Answer => ({ status: 200, body: { access_token: `token-${n}`, token_type: "Bearer", expires_in: expiresIn }, delayMs });
  const source = (overrides: { clientSecret?: string; renewBeforeExpirySeconds?: number; url?: URL } = {}) =>
    createServiceTokenSource({
      tokenUrl: overrides.url ?? tokenUrl,
      clientId: "orders",
      clientSecret: overrides.clientSecret ?? "a-secret-of-at-least-thirty-two-chars",
      timeoutMs: 2_000,
      ...(overrides.renewBeforeExpirySeconds === undefined ? {} : { renewBeforeExpirySeconds: overrides.renewBeforeExpirySeconds }),
    });

  it("asks with the client_credentials grant and HTTP Basic credentials, each half url-encoded", async () => {
    answer = issuing(300);
    const secret = "p@ss:word/with+odd chars&=ü";
    const tokens = source({ clientSecret: secret });

    assert.equal(tokens.clientId, "orders");
    assert.equal(await tokens.token(), "token-1");

    assert.equal(seen.length, 1);
    const [request] = seen;
    assert.equal(request?.method, "POST");
    assert.equal(request?.contentType, "application/x-www-form-urlencoded");
    assert.deepEqual(Object.fromEntries(new URLSearchParams(request?.body)), { grant_type: "client_credentials" });
    const match = /^Basic (.+)$/.exec(request?.authorization ?? "");
    assert.ok(match?.[1], "a Basic authorization header");
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    // the secret's own ':' is encoded, so the first ':' separates id and secret
    assert.equal(decoded, `orders:${encodeURIComponent(secret)}`);
    assert.equal(decodeURIComponent(decoded.slice(decoded.indexOf(":") + 1)), secret);
  });

  it("hands out the cached token without asking again while it is fresh", async () => {
    answer = issuing(300);
    const tokens = source();

    const first = await tokens.token();
    const second = await tokens.token();

    assert.equal(first, "token-1");
    assert.equal(second, "token-1");
    assert.equal(seen.length, 1, "the second call made no request");
  });

  it("fetches a new token renewBeforeExpirySeconds before the cached one expires", async () => {
    mock.timers.enable({ apis: ["Date"], now: Date.now() });
    answer = issuing(300);
    const tokens = source({ renewBeforeExpirySeconds: 60 });

    assert.equal(await tokens.token(), "token-1");
    mock.timers.tick(239_000);
    assert.equal(await tokens.token(), "token-1", "still cached 61 s before expiry");
    assert.equal(seen.length, 1);
    mock.timers.tick(1_000);
    assert.equal(await tokens.token(), "token-2", "renewed 60 s before expiry");
    assert.equal(seen.length, 2);
  });

  it("keeps a token that lives shorter than the margin for half its life instead of fetching one per call", async () => {
    mock.timers.enable({ apis: ["Date"], now: Date.now() });
    answer = issuing(45);
    const tokens = source();

    assert.equal(await tokens.token(), "token-1");
    mock.timers.tick(22_000);
    assert.equal(await tokens.token(), "token-1", "still cached before half of its 45 s");
    mock.timers.tick(1_000);
    assert.equal(await tokens.token(), "token-2", "renewed after half of its life");
    assert.equal(seen.length, 2);
  });

  it("makes one request for all callers waiting at once", async () => {
    answer = issuing(300, 50);
    const tokens = source();

    const all = await Promise.all(Array.from({ length: 5 }, () => tokens.token()));

    assert.deepEqual(all, Array(5).fill("token-1"));
    assert.equal(seen.length, 1);
  });

  it("reports an endpoint answering 429 (busy) as SERVICE_UNAVAILABLE", async () => {
    answer = () => ({ status: 429, body: { error: "slow_down" } });
    await assert.rejects(source().token(), (error) => codeOf(error) === "SERVICE_UNAVAILABLE");
  });

  it("reports an endpoint failing with 5xx as SERVICE_UNAVAILABLE, and asks again on the next call", async () => {
    answer = () => ({ status: 503, body: { error: "temporarily_unavailable" } });
    const tokens = source();

    await assert.rejects(tokens.token(), (error) => codeOf(error) === "SERVICE_UNAVAILABLE");

    answer = issuing(300);
    assert.equal(await tokens.token(), "token-2", "a failure is neither cached nor left pending");
    assert.equal(seen.length, 2);
  });

  it("reports an unreachable endpoint as SERVICE_UNAVAILABLE", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const url = new URL(`http://127.0.0.1:${(closed.address() as AddressInfo).port}/oauth/token`);
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    await assert.rejects(source({ url }).token(), (error) => codeOf(error) === "SERVICE_UNAVAILABLE");
  });

  it("rejects with a plain Error naming the client when the endpoint refuses it (401)", async () => {
    answer = () => ({ status: 401, body: { error: "invalid_client", error_description: "Client authentication failed." } });

    await assert.rejects(source().token(), (error) => {
      assert.ok(error instanceof Error);
      assert.ok(!(error instanceof GraphQLError), "a misconfiguration, not a client-visible outage");
      assert.match(error.message, /orders/);
      assert.match(error.message, /401 invalid_client/);
      return true;
    });
  });

  it("refuses a 200 answer without a usable token instead of caching nonsense", async () => {
    answer = () => ({ status: 200, body: { token_type: "Bearer", expires_in: 300 } });
    await assert.rejects(source().token(), (error) => error instanceof Error && !(error instanceof GraphQLError));
  });
});
