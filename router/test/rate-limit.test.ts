import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type RunningHttpServer, silentLogger } from "@storefront/service";
import pg from "pg";
import { createRouter, readRouterSettings } from "../src/index.ts";
import { RATE_LIMIT_TABLE } from "../src/rate-limit.ts";
import { newSigningKey, signToken, startJwksServer, type TestJwksServer, type TestSigningKey } from "./support/keys.ts";
import { type GraphQLResponse, post } from "./support/router.ts";
import { alice, bob, startTestShop, type TestShop } from "./support/shop.ts";

/** An address of its own (TEST-NET-3), sent as X-Forwarded-For to routers that trust one proxy hop. */
// A new client address on every call (198.18.0.0/15, reserved for tests): a random one from 256 sometimes repeated an
// address a test had just exhausted, and a fresh client was refused.
let addresses = 0;
const anAddress = () => {
  addresses += 1;
  return `198.18.${Math.floor(addresses / 256)}.${addresses % 256}`;
};
const from = (address: string) => ({ headers: { "x-forwarded-for": address } });

function assertRateLimited(response: GraphQLResponse<unknown>, windowSeconds = 60) {
  assert.equal(response.status, 429);
  assert.equal(response.body.data, undefined);
  assert.equal(response.body.errors?.length, 1);
  const error = response.body.errors?.[0];
  assert.equal(error?.extensions?.code, "RATE_LIMITED");
  const retryAfterSeconds = error?.extensions?.retryAfterSeconds;
  assert.ok(
    typeof retryAfterSeconds === "number" && retryAfterSeconds > 0 && retryAfterSeconds <= windowSeconds,
    `retryAfterSeconds ${retryAfterSeconds}`,
  );
  assert.equal(response.headers.get("retry-after"), String(retryAfterSeconds));
  assert.equal(response.headers.get("ratelimit-remaining"), "0");
}

describe("rate limits at the router", () => {
  let key: TestSigningKey;
  let jwks: TestJwksServer;
  let shop: TestShop;
  let dir: string;
  const running: RunningHttpServer[] = [];

  before(async () => {
    key = await newSigningKey();
    jwks = await startJwksServer([key]);
    shop = await startTestShop(jwks.url);
    dir = mkdtempSync(path.join(tmpdir(), "router-rate-limit-"));
    writeFileSync(path.join(dir, "supergraph.graphql"), shop.supergraphSdl);
  });
  after(async () => {
    await Promise.all(running.map((router) => router.close()));
    await shop?.close();
    await jwks?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A router over the test shop with these settings (strings, as in the environment). */
  async function aRouter(env: Record<string, string>): Promise<string> {
    const settings = readRouterSettings({
      NODE_ENV: "test",
      SUPERGRAPH_PATH: path.join(dir, "supergraph.graphql"),
      JWKS_URL: jwks.url.href,
      JWKS_REFETCH_COOLDOWN_MS: "0",
      ...env,
    });
    const router = await createRouter({ settings, logger: silentLogger() }).listen(0);
    running.push(router);
    return router.url;
  }
  const shopName = (url: string, options: Parameters<typeof post>[2] = {}) => post<{ shopName: string }>(url, "{ shopName }", options);

  describe("per client address", () => {
    let url: string;
    before(async () => {
      url = await aRouter({ RATE_LIMIT_PER_ADDRESS: "3", RATE_LIMIT_PER_USER: "off", TRUSTED_PROXY_HOPS: "1" });
    });

    it("serves an address's budget, counting it down in RateLimit headers, then answers 429 RATE_LIMITED with Retry-After", async () => {
      const address = anAddress();
      for (const remaining of ["2", "1", "0"]) {
        const served = await shopName(url, from(address));
        assert.equal(served.status, 200);
        assert.deepEqual(served.body.data, { shopName: "Test shop" });
        assert.equal(served.headers.get("ratelimit-limit"), "3");
        assert.equal(served.headers.get("ratelimit-remaining"), remaining);
        assert.equal(served.headers.get("ratelimit-policy"), "3;w=60");
      }
      const reachedSubgraphs = shop.requestsReceived.count;

      const refused = await shopName(url, from(address));

      assertRateLimited(refused);
      assert.match(refused.body.errors?.[0]?.message ?? "", /from this address/);
      assert.equal(shop.requestsReceived.count, reachedSubgraphs, "a refused request reaches no subgraph");
    });

    it("counts answers from the response cache against the budget too: the third { __typename } comes from the cache, the fourth is refused", async () => {
      const address = anAddress();
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await post<{ __typename: string }>(url, "{ __typename }", from(address)));
      assert.deepEqual(
        answers.map((answer) => [answer.status, answer.body.data?.__typename]),
        [
          [200, "Query"],
          [200, "Query"],
          [200, "Query"],
        ],
      );
      assert.equal(answers[0]?.headers.get("age"), null, "the first answer comes from the gateway");
      assert.match(answers[2]?.headers.get("age") ?? "", /^[0-9]+$/, "the third comes from the cache");
      assert.equal(answers[2]?.headers.get("ratelimit-remaining"), "0");
      assertRateLimited(await post(url, "{ __typename }", from(address)));
    });

    it("keeps serving other addresses while one is refused", async () => {
      const busy = anAddress();
      for (let i = 0; i < 3; i++) await shopName(url, from(busy));
      assertRateLimited(await shopName(url, from(busy)));

      const other = await shopName(url, from(`198.51.100.${randomBytes(1)[0]}`));
      assert.equal(other.status, 200);
      assert.deepEqual(other.body.data, { shopName: "Test shop" });
    });

    it("counts a signed-in user's requests against their address too", async () => {
      const address = anAddress();
      const token = await signToken(key, { userId: alice.id });
      for (let i = 0; i < 3; i++) assert.equal((await shopName(url, { token, ...from(address) })).status, 200);

      assertRateLimited(await shopName(url, { token, ...from(address) }));
    });

    it("never limits /health, /ready or /metrics", async () => {
      const address = anAddress();
      for (let i = 0; i < 3; i++) await shopName(url, from(address));
      assertRateLimited(await shopName(url, from(address)));

      for (const probe of ["/health", "/ready", "/metrics"]) {
        for (let i = 0; i < 5; i++) {
          const response = await fetch(new URL(probe, url), { headers: { "x-forwarded-for": address } });
          await response.arrayBuffer();
          assert.equal(response.status, 200, `${probe} #${i}`);
        }
      }
    });
  });

  it("counts by the connection's peer when no proxy is trusted, so a forged X-Forwarded-For gains nothing", async () => {
    const url = await aRouter({ RATE_LIMIT_PER_ADDRESS: "2", RATE_LIMIT_PER_USER: "off" });
    assert.equal((await shopName(url, from(anAddress()))).status, 200);
    assert.equal((await shopName(url, from(anAddress()))).status, 200);

    assertRateLimited(await shopName(url, from(anAddress())));
  });

  describe("per signed-in user", () => {
    let url: string;
    before(async () => {
      url = await aRouter({ RATE_LIMIT_PER_ADDRESS: "100", RATE_LIMIT_PER_USER: "3", TRUSTED_PROXY_HOPS: "1" });
    });

    it("counts a user's requests from every address against one budget, and refuses the next wherever it comes from", async () => {
      const token = await signToken(key, { userId: alice.id });
      for (let i = 0; i < 3; i++) {
        const served = await post<{ me: { name: string } }>(url, "{ me { name } }", { token, ...from(anAddress()) });
        assert.deepEqual(served.body, { data: { me: { name: "Alice" } } });
      }

      const refused = await post(url, "{ me { name } }", { token, ...from(anAddress()) });

      assertRateLimited(refused);
      assert.match(refused.body.errors?.[0]?.message ?? "", /for this account/);
    });

    it("keeps serving other users and anonymous requests from the same address", async () => {
      const token = await signToken(key, { userId: alice.id });
      const address = anAddress();
      for (let i = 0; i < 3; i++) await shopName(url, { token, ...from(address) });
      assertRateLimited(await shopName(url, { token, ...from(address) }));

      const asBob = await post<{ me: { name: string } }>(url, "{ me { name } }", {
        token: await signToken(key, { userId: bob.id }),
        ...from(address),
      });
      assert.deepEqual(asBob.body, { data: { me: { name: "Bob" } } });
      assert.equal((await shopName(url, from(address))).status, 200);
    });

    it("still answers a refused token with 401, verifying it once per request", async () => {
      const unknownKey = await signToken(key, { userId: alice.id, kid: `unknown-${randomUUID()}` });
      const fetchesBefore = jwks.fetches.count;

      const refused = await shopName(url, { token: unknownKey, ...from(anAddress()) });

      assert.equal(refused.status, 401);
      assert.equal(refused.body.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
      // an unknown key id makes each verification fetch the JWKS again (no cooldown here)
      assert.equal(jwks.fetches.count - fetchesBefore, 1);
    });
  });

  it("limits nothing when both limits are off", async () => {
    const url = await aRouter({ RATE_LIMIT_PER_ADDRESS: "off", RATE_LIMIT_PER_USER: "off" });
    for (let i = 0; i < 5; i++) {
      const served = await shopName(url);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get("ratelimit-limit"), null);
    }
  });

  it("keeps limiting, each router on its own, while the rate-limit database is unreachable", async () => {
    const url = await aRouter({ RATE_LIMIT_PER_ADDRESS: "2", RATE_LIMIT_DATABASE_URL: "postgresql://postgres@127.0.0.1:1/nowhere" });
    assert.equal((await shopName(url)).status, 200);
    assert.equal((await shopName(url)).status, 200);

    assertRateLimited(await shopName(url));
  });

  describe("shared in PostgreSQL by several routers", { skip: process.env.TEST_POSTGRES_URL ? false : "needs TEST_POSTGRES_URL" }, () => {
    const adminUrl = process.env.TEST_POSTGRES_URL ?? "";
    const database = `storefront_test_router_rate_limits_${randomBytes(4).toString("hex")}`;
    let databaseUrl: string;
    let firstOfMine = 0;
    const admin = async <T>(work: (client: pg.Client) => Promise<T>, url = adminUrl): Promise<T> => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end();
      }
    };
    before(async () => {
      await admin((client) => client.query(`CREATE DATABASE ${database}`));
      const url = new URL(adminUrl);
      url.pathname = `/${database}`;
      databaseUrl = url.href;
      firstOfMine = running.length;
    });
    after(async () => {
      await Promise.all(running.splice(firstOfMine).map((router) => router.close()));
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    });

    it("gives requests split across two routers one shared budget per address and per user", async () => {
      const env = { RATE_LIMIT_PER_ADDRESS: "4", RATE_LIMIT_PER_USER: "3", TRUSTED_PROXY_HOPS: "1", RATE_LIMIT_DATABASE_URL: databaseUrl };
      const routers = [await aRouter(env), await aRouter(env)] as const;
      const address = anAddress();
      for (let i = 0; i < 4; i++) assert.equal((await shopName(routers[i % 2] as string, from(address))).status, 200, `request ${i}`);
      assertRateLimited(await shopName(routers[0], from(address)));
      assertRateLimited(await shopName(routers[1], from(address)));

      const token = await signToken(key, { userId: bob.id });
      for (let i = 0; i < 3; i++) assert.equal((await shopName(routers[i % 2] as string, { token, ...from(anAddress()) })).status, 200);
      assertRateLimited(await shopName(routers[1], { token, ...from(anAddress()) }));

      const keys = await admin((client) => client.query<{ key: string }>(`SELECT key FROM ${RATE_LIMIT_TABLE}`), databaseUrl);
      assert.ok(keys.rows.some((row) => row.key === `address:${address}`));
      assert.ok(keys.rows.some((row) => row.key === `user:${bob.id}`));
    });
  });
});

describe("rate-limit settings", () => {
  const read = (env: Record<string, string>) => readRouterSettings({ NODE_ENV: "test", ...env });

  it("default to 1200 requests per address and 600 per user per minute, counted in memory by the connection's peer", () => {
    const settings = read({});
    assert.equal(settings.RATE_LIMIT_PER_ADDRESS, 1_200);
    assert.equal(settings.RATE_LIMIT_PER_USER, 600);
    assert.equal(settings.RATE_LIMIT_WINDOW_SECONDS, 60);
    assert.equal(settings.RATE_LIMIT_DATABASE_URL, undefined);
    assert.equal(settings.TRUSTED_PROXY_HOPS, 0);
  });

  it("take `off` for no limit and refuse anything but a positive number or a PostgreSQL URL", () => {
    assert.equal(read({ RATE_LIMIT_PER_ADDRESS: "off" }).RATE_LIMIT_PER_ADDRESS, null);
    const refused: Record<string, string>[] = [
      { RATE_LIMIT_PER_ADDRESS: "0" },
      { RATE_LIMIT_PER_USER: "many" },
      { RATE_LIMIT_DATABASE_URL: "http://127.0.0.1/db" },
      { TRUSTED_PROXY_HOPS: "-1" },
    ];
    for (const env of refused) {
      assert.throws(() => read(env), /invalid environment/, JSON.stringify(env));
    }
  });
});
