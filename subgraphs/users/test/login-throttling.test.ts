import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { after, before, describe, it } from "node:test";
import { silentLogger } from "@storefront/service";
import { errorCodes, type GraphQLResult, startTestSubgraph } from "@storefront/testkit";
import {
  type AuthPayload,
  aClientAddress,
  anEmail,
  as,
  aUser,
  LOGIN,
  overHttp,
  PASSWORD,
  type Users,
  usersModuleWith,
} from "./builders.ts";

const WINDOW_SECONDS = 900;
const throttled = usersModuleWith({
  loginFailuresPerAccountAndClient: 3,
  loginFailuresPerClient: 5,
  loginFailuresPerAccount: 6,
  loginFailureWindowSeconds: WINDOW_SECONDS,
});

const assertRateLimited = (result: GraphQLResult) => {
  assert.deepEqual(errorCodes(result), ["RATE_LIMITED"]);
  const retryAfter = result.errors?.[0]?.extensions?.retryAfterSeconds;
  assert.ok(typeof retryAfter === "number" && retryAfter > 0 && retryAfter <= WINDOW_SECONDS, `retryAfterSeconds: ${retryAfter}`);
};

describe("throttling failed sign-ins", () => {
  let users: Users;
  before(async () => {
    users = await startTestSubgraph(throttled);
  });
  after(() => users.close());

  /** In-process, without a client address. */
  const login = (email: string, password: string) => users.execute<{ login: AuthPayload }>(LOGIN, { input: { email, password } });
  /** Over HTTP from `client`, as the router forwards it. */
  const loginFrom = async (client: string, email: string, password: string) =>
    (await overHttp<{ login: AuthPayload }>(users, LOGIN, { input: { email, password } }, { client })).body as GraphQLResult<{
      login: AuthPayload;
    }>;
  const failTimes = async (times: number, email: string, client?: string) => {
    for (let i = 0; i < times; i++) {
      const result = client ? await loginFrom(client, email, `wrong password ${i}`) : await login(email, `wrong password ${i}`);
      assert.deepEqual(errorCodes(result), ["UNAUTHENTICATED"]);
    }
  };
  /** As if the window had passed: the failure counts expire now (remembered addresses stay). */
  const letTheWindowPass = () =>
    users.prisma.loginThrottle.updateMany({
      where: { NOT: { key: { startsWith: "login:known" } } },
      data: { expire: new Date(Date.now() - 1_000) },
    });

  it("refuses an account from an address after 3 failures there, even with the right password, saying when to retry", async () => {
    const user = await aUser(users.prisma, { password: PASSWORD });
    await failTimes(3, user.email);

    assertRateLimited(await login(user.email, PASSWORD));
    assertRateLimited(await login(user.email.toUpperCase(), PASSWORD));
  });

  it("lets the account sign in again from there once the window has passed", async () => {
    const user = await aUser(users.prisma, { password: PASSWORD });
    await failTimes(3, user.email);
    assertRateLimited(await login(user.email, PASSWORD));

    await letTheWindowPass();

    assert.deepEqual((await login(user.email, PASSWORD)).errors, undefined);
  });

  it("forgets an account's failures from an address after a successful sign-in there", async () => {
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

  it("keeps a victim signing in from their own address while the attacker's address is locked out of the account", async () => {
    const victim = await aUser(users.prisma, { password: PASSWORD });
    const attacker = aClientAddress();
    await failTimes(3, victim.email, attacker);

    assertRateLimited(await loginFrom(attacker, victim.email, PASSWORD));
    const atHome = await loginFrom(aClientAddress(), victim.email, PASSWORD);
    assert.deepEqual(atHome.errors, undefined);
    assert.equal(atHome.data?.login.user.id, victim.id);
    assertRateLimited(await loginFrom(attacker, victim.email, PASSWORD));
  });

  it("refuses every sign-in from an address after 5 failures there across accounts, and only from that address", async () => {
    const user = await aUser(users.prisma, { password: PASSWORD });
    const attacker = aClientAddress();
    for (let i = 0; i < 5; i++) await failTimes(1, anEmail(`guess${i}`), attacker);

    assertRateLimited(await loginFrom(attacker, user.email, PASSWORD));
    const elsewhere = await loginFrom(aClientAddress(), user.email, PASSWORD);
    assert.deepEqual(elsewhere.errors, undefined);
    assert.equal(elsewhere.data?.login.user.id, user.id);
  });

  it("stops guessing spread over many addresses at 6 failures per account, except from addresses the account signed in from", async () => {
    const victim = await aUser(users.prisma, { password: PASSWORD });
    const home = aClientAddress();
    assert.deepEqual((await loginFrom(home, victim.email, PASSWORD)).errors, undefined);
    const botnet = [aClientAddress(), aClientAddress(), aClientAddress()];
    for (const address of botnet) await failTimes(2, victim.email, address);

    // each bot has a failure left at its own address, but the account's ceiling is reached
    assertRateLimited(await loginFrom(botnet[0] as string, victim.email, PASSWORD));
    assertRateLimited(await loginFrom(aClientAddress(), victim.email, PASSWORD));
    const atHome = await loginFrom(home, victim.email, PASSWORD);
    assert.deepEqual(atHome.errors, undefined);
    assert.equal(atHome.data?.login.user.id, victim.id);
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
