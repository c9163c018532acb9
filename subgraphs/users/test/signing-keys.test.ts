import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAccessTokenVerifier, type VerifyAccessToken } from "@storefront/auth";
import { errorCodes, startTestSubgraph } from "@storefront/testkit";
import { decodeProtectedHeader } from "jose";
import { createKeyRing } from "../src/auth/signing-keys.ts";
import { createSigningKeyStore } from "../src/data/signing-key-store.ts";
import { rotateSigningKey, usersSubgraph } from "../src/index.ts";
import { type AuthPayload, as, aUser, jwksUrlOf, LOGIN, overHttp, PASSWORD, type Users } from "./builders.ts";

type Jwks = { keys: { kid: string; kty: string; crv: string; x: string; alg: string; use: string; d?: string }[] };

const ROTATE = "mutation { rotateSigningKey { kid createdAt retiredAt } }";

describe("signing keys, the JWKS and tokens over HTTP", () => {
  let users: Users;
  // The subgraph verifies bearer tokens of HTTP requests against its own JWKS, as the runtime does.
  let verifyOwnTokens: VerifyAccessToken | undefined;
  before(async () => {
    users = await startTestSubgraph(usersSubgraph, {
      verifyAccessToken: (token) => (verifyOwnTokens ? verifyOwnTokens(token) : Promise.reject(new Error("not started"))),
    });
    verifyOwnTokens = createAccessTokenVerifier({ jwks: jwksUrlOf(users) });
  });
  after(() => users.close());

  const fetchJwks = async () => {
    const response = await fetch(jwksUrlOf(users));
    return { response, body: (await response.json()) as Jwks };
  };
  const loginOverHttp = async (email: string) => {
    const { body } = await overHttp<{ login: AuthPayload }>(users, LOGIN, { input: { email, password: PASSWORD } });
    assert.deepEqual(body.errors, undefined);
    assert.ok(body.data);
    return body.data.login;
  };

  it("serves the JWKS with a first key made on first use: public halves only, cacheable for a minute", async () => {
    const { response, body } = await fetchJwks();

    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "public, max-age=60");
    assert.match(response.headers.get("content-type") ?? "", /^application\/jwk-set\+json/);
    assert.equal(body.keys.length, 1);
    const [key] = body.keys;
    assert.equal(key?.kty, "OKP");
    assert.equal(key?.crv, "Ed25519");
    assert.equal(key?.alg, "EdDSA");
    assert.equal(key?.use, "sig");
    assert.equal(key?.d, undefined);
    assert.equal(await users.prisma.signingKey.count({ where: { active: true } }), 1);
  });

  it("signs access tokens with the active key's kid; a verifier fed from the JWKS accepts them", async () => {
    const user = await aUser(users.prisma, { password: PASSWORD });
    const session = await loginOverHttp(user.email);
    const active = await users.prisma.signingKey.findFirstOrThrow({ where: { active: true } });

    assert.equal(decodeProtectedHeader(session.accessToken).kid, active.kid);
    const verify = createAccessTokenVerifier({ jwks: jwksUrlOf(users) });
    assert.deepEqual(await verify(session.accessToken), { userId: user.id, role: "CUSTOMER", scopes: [] });
  });

  it("answers `me` over HTTP for a bearer token, and UNAUTHENTICATED for a forged one", async () => {
    const user = await aUser(users.prisma, { password: PASSWORD, name: "Hattie" });
    const session = await loginOverHttp(user.email);

    const me = await overHttp<{ me: { id: string; name: string } }>(users, "{ me { id name } }", {}, { accessToken: session.accessToken });
    assert.deepEqual(me.body.data, { me: { id: user.id, name: "Hattie" } });

    const [header, payload] = session.accessToken.split(".");
    const forged = await overHttp(users, "{ me { id } }", {}, { accessToken: `${header}.${payload}.${"A".repeat(86)}` });
    assert.equal(forged.body.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
  });

  it("rotates without signing anybody out: old tokens keep verifying, new ones carry the new kid", async () => {
    const admin = await aUser(users.prisma, { role: "ADMIN", password: PASSWORD });
    const before = await loginOverHttp(admin.email);
    const oldKid = decodeProtectedHeader(before.accessToken).kid;

    const rotated = await users.query<{ rotateSigningKey: { kid: string; retiredAt: string | null } }>(ROTATE, {}, as(admin));

    assert.notEqual(rotated.rotateSigningKey.kid, oldKid);
    assert.equal(rotated.rotateSigningKey.retiredAt, null);
    const afterwards = await loginOverHttp(admin.email);
    assert.equal(decodeProtectedHeader(afterwards.accessToken).kid, rotated.rotateSigningKey.kid);
    const { body } = await fetchJwks();
    assert.deepEqual(
      body.keys.map((k) => k.kid),
      [rotated.rotateSigningKey.kid, oldKid],
    );
    const verify = createAccessTokenVerifier({ jwks: jwksUrlOf(users) });
    assert.deepEqual(await verify(before.accessToken), { userId: admin.id, role: "ADMIN", scopes: ["admin"] });
    assert.deepEqual(await verify(afterwards.accessToken), { userId: admin.id, role: "ADMIN", scopes: ["admin"] });
    // The retired key can never sign again: its private half is gone.
    const retired = await users.prisma.signingKey.findUniqueOrThrow({ where: { kid: String(oldKid) } });
    assert.equal(retired.privateJwk, null);
    assert.ok(retired.retiredAt);
  });

  it("stops publishing a retired key once every token it signed has expired", async () => {
    const admin = await aUser(users.prisma, { role: "ADMIN" });
    const { rotateSigningKey: first } = await users.query<{ rotateSigningKey: { kid: string } }>(ROTATE, {}, as(admin));
    await users.query(ROTATE, {}, as(admin));
    // Retired long before the access-token lifetime (15 minutes, plus slack for caches and clocks).
    await users.prisma.signingKey.update({ where: { kid: first.kid }, data: { retiredAt: new Date(Date.now() - 20 * 60_000) } });

    const { body } = await fetchJwks();
    assert.equal(
      body.keys.some((k) => k.kid === first.kid),
      false,
    );
    const listed = await users.query<{ signingKeys: { kid: string }[] }>("{ signingKeys { kid } }", {}, as(admin));
    assert.equal(
      listed.signingKeys.some((k) => k.kid === first.kid),
      false,
    );
  });

  it("lets a CLI rotate the key through rotateSigningKey(prisma) as well", async () => {
    const rotated = await rotateSigningKey(users.prisma);
    const active = await users.prisma.signingKey.findFirstOrThrow({ where: { active: true } });
    assert.equal(active.kid, rotated.kid);
  });

  it("keeps rotation and the key list for admins", async () => {
    const customer = await aUser(users.prisma);
    const activeBefore = await users.prisma.signingKey.findFirstOrThrow({ where: { active: true } });

    assert.deepEqual(errorCodes(await users.execute(ROTATE, {}, as(customer))), ["FORBIDDEN"]);
    assert.deepEqual(errorCodes(await users.execute(ROTATE)), ["UNAUTHENTICATED"]);
    assert.deepEqual(errorCodes(await users.execute("{ signingKeys { kid } }", {}, as(customer))), ["FORBIDDEN"]);
    assert.equal((await users.prisma.signingKey.findFirstOrThrow({ where: { active: true } })).kid, activeBefore.kid);
  });

  it("answers other methods than GET on the JWKS with 405", async () => {
    const response = await fetch(jwksUrlOf(users), { method: "POST" });
    assert.equal(response.status, 405);
  });
});

describe("the first signing key", () => {
  let users: Users;
  before(async () => {
    users = await startTestSubgraph(usersSubgraph);
  });
  after(() => users.close());

  it("is made exactly once when several replicas need it at the same time", async () => {
    const replicas = Array.from({ length: 4 }, () => createKeyRing(createSigningKeyStore(users.prisma), { accessTokenTtlSeconds: 900 }));

    const signers = await Promise.all(replicas.map((keys) => keys.signer()));

    assert.equal(await users.prisma.signingKey.count(), 1);
    assert.equal(new Set(signers.map((signer) => signer.kid)).size, 1);
    const body = (await (await fetch(jwksUrlOf(users))).json()) as Jwks;
    assert.deepEqual(
      body.keys.map((k) => k.kid),
      [signers[0]?.kid],
    );
  });
});
