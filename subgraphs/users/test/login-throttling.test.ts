import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { after, before, describe, it } from "node:test";
import { silentLogger } from "@storefront/service";
import { errorCodes, type GraphQLResult, startTestSubgraph } from "@storefront/testkit";
import { clientAddressOf } from "../src/context.ts";
import { type AuthPayload, anEmail, as, aUser, LOGIN, overHttp, PASSWORD, type Users, usersModuleWith } from "./builders.ts";

const WINDOW_SECONDS = 900;
const throttled = usersModuleWith({ loginFailuresPerAccount: 3, loginFailuresPerClient: 5, loginFailureWindowSeconds: WINDOW_SECONDS });

describe("throttling failed sign-ins", () => {
  let users: Users;
  before(async () => {
    users = await startTestSubgraph(throttled);
  });
  after(() => users.close());

  const login = (email: string, password: string) => users.execute<{ login: AuthPayload }>(LOGIN, { input: { email, password } });
  const failTimes = async (times: number, email: string) => {
    for (let i = 0; i < times; i++) assert.deepEqual(errorCodes(await login(email, `wrong password ${i}`)), ["UNAUTHENTICATED"]);
  };
  /** As if the window had passed: the counters expire now. */
  const letTheWindowPass = () => users.prisma.loginThrottle.updateMany({ data: { expire: new Date(Date.now() - 1_000) } });
  const assertRateLimited = (result: GraphQLResult) => {
    assert.deepEqual(errorCodes(result), ["RATE_LIMITED"]);
    const retryAfter = result.errors?.[0]?.extensions?.retryAfterSeconds;
    assert.ok(typeof retryAfter === "number" && retryAfter > 0 && retryAfter <= WINDOW_SECONDS, `retryAfterSeconds: ${retryAfter}`);
  };

  it("refuses an account after 3 failures, even with the right password, saying when to retry", async () => {
    const user = await aUser(users.prisma, { password: PASSWORD });
    await failTimes(3, user.email);

    assertRateLimited(await login(user.email, PASSWORD));
    assertRateLimited(await login(user.email.toUpperCase(), PASSWORD));
  });

  it("lets the account sign in again once the window has passed", async () => {
    const user = await aUser(users.prisma, { password: PASSWORD });
    await failTimes(3, user.email);
    assertRateLimited(await login(user.email, PASSWORD));

    await letTheWindowPass();

    assert.deepEqual((await login(user.email, PASSWORD)).errors, undefined);
  });

  it("forgets an account's failures after a successful sign-in", async () => {
    const user = await aUser(users.prisma, { password: PASSWORD });
    await failTimes(2, user.email);
    assert.deepEqual((await login(user.email, PASSWORD)).errors, undefined);
    await failTimes(2, user.email);

    assert.deepEqual((await login(user.email, PASSWORD)).errors, undefined);
  });

  it("does not let one account's failures lock out another account", async () => {
    const victim = await aUser(users.prisma, { password: PASSWORD });
    const neighbour = await aUser(users.prisma, { password: PASSWORD });
    await failTimes(3, victim.email);

    assert.deepEqual((await login(neighbour.email, PASSWORD)).errors, undefined);
  });

  it("throttles e-mail addresses without an account the same way, storing no address in clear", async () => {
    const nobody = anEmail("nobody");
    await failTimes(3, nobody);

    assertRateLimited(await login(nobody, PASSWORD));
    const keys = (await users.prisma.loginThrottle.findMany()).map((row) => row.key);
    assert.equal(
      keys.some((key) => key.includes("@")),
      false,
    );
  });

  it("refuses every sign-in from a client after 5 failures there, and only from that client", async () => {
    const user = await aUser(users.prisma, { password: PASSWORD });
    const attacker = "203.0.113.7";
    for (let i = 0; i < 5; i++) {
      const { body } = await overHttp(
        users,
        LOGIN,
        { input: { email: anEmail(`guess${i}`), password: "a guessed password" } },
        { client: attacker },
      );
      assert.equal(body.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
    }

    const blocked = await overHttp<{ login: AuthPayload }>(
      users,
      LOGIN,
      { input: { email: user.email, password: PASSWORD } },
      { client: attacker },
    );
    assertRateLimited(blocked.body as GraphQLResult);

    const elsewhere = await overHttp<{ login: AuthPayload }>(
      users,
      LOGIN,
      { input: { email: user.email, password: PASSWORD } },
      { client: "198.51.100.2" },
    );
    assert.deepEqual(elsewhere.body.errors, undefined);
    assert.equal(elsewhere.body.data?.login.user.id, user.id);
  });

  it("shares the counts between replicas of the subgraph through the database", async () => {
    const user = await aUser(users.prisma, { password: PASSWORD });
    const replica = throttled.create({
      prisma: users.prisma,
      logger: silentLogger(),
      production: false,
      subgraphUrls: {},
      outbox: { notify: () => undefined },
      serviceSecrets: {},
      serviceTokens: null,
    });
    await replica.apollo.start();
    try {
      await failTimes(3, user.email);

      const response = await replica.apollo.executeOperation(
        { query: LOGIN, variables: { input: { email: user.email, password: PASSWORD } } },
        { contextValue: await replica.context({ requestId: "replica", logger: silentLogger(), viewer: null }, {} as IncomingMessage) },
      );
      assert.equal(response.body.kind, "single");
      if (response.body.kind === "single") assertRateLimited(JSON.parse(JSON.stringify(response.body.singleResult)) as GraphQLResult);
    } finally {
      await replica.apollo.stop();
    }
  });

  it("throttles guesses of the current password through changePassword like sign-ins", async () => {
    const user = await aUser(users.prisma, { password: PASSWORD });
    const CHANGE = "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken } }";
    const change = (currentPassword: string) =>
      users.execute(CHANGE, { input: { currentPassword, newPassword: "another fine passphrase" } }, as(user));
    for (let i = 0; i < 3; i++) assert.deepEqual(errorCodes(await change(`guess number ${i}`)), ["BAD_USER_INPUT"]);

    assertRateLimited(await change(PASSWORD));
    assertRateLimited(await login(user.email, PASSWORD));
  });
});

describe("which client a request comes from", () => {
  const request = (headers: Record<string, string>, remoteAddress?: string) =>
    ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

  it("is the address the router saw: the last X-Forwarded-For entry, whatever the client put before it", () => {
    assert.equal(clientAddressOf(request({ "x-forwarded-for": "203.0.113.7" }, "10.0.0.3")), "203.0.113.7");
    assert.equal(clientAddressOf(request({ "x-forwarded-for": "198.51.100.66, 203.0.113.7" }, "10.0.0.3")), "203.0.113.7");
    assert.equal(clientAddressOf(request({ "x-forwarded-for": "2001:db8::1" }, "10.0.0.3")), "2001:db8::1");
  });

  it("counts back one entry per trusted proxy when a load balancer stands in front of the router", () => {
    const chain = { "x-forwarded-for": "198.51.100.66, 203.0.113.7, 10.0.0.9" };
    assert.equal(clientAddressOf(request(chain, "10.0.0.3"), 2), "203.0.113.7");
  });

  it("is the connection's peer when X-Forwarded-For is missing or not an address", () => {
    assert.equal(clientAddressOf(request({}, "::ffff:127.0.0.1")), "127.0.0.1");
    assert.equal(clientAddressOf(request({ "x-forwarded-for": "not-an-ip" }, "192.0.2.4")), "192.0.2.4");
  });

  it("is unknown for in-process calls without a connection", () => {
    assert.equal(clientAddressOf({} as IncomingMessage), null);
  });
});
