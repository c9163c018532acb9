import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestSubgraph } from "@storefront/testkit";
import { type AuthPayload, aClientAddress, anEmail, aUser, overHttp, PASSWORD, REGISTER, type Users, usersModuleWith } from "./builders.ts";

const WINDOW_SECONDS = 3600;
const throttled = usersModuleWith({ signupsPerClient: 3, signupWindowSeconds: WINDOW_SECONDS });

describe("throttling sign-ups per client address", () => {
  let users: Users;
  before(async () => {
    users = await startTestSubgraph(throttled);
  });
  after(() => users.close());

  const registerFrom = (client: string, email = anEmail("newcomer")) =>
    overHttp<{ register: AuthPayload }>(users, REGISTER, { input: { email, password: PASSWORD, name: "Newcomer" } }, { client });
  const codesOf = (response: Awaited<ReturnType<typeof registerFrom>>) => (response.body.errors ?? []).map((e) => e.extensions?.code);

  it("refuses the fourth sign-up attempt from one address within the hour with RATE_LIMITED and when to retry, and no account", async () => {
    const address = aClientAddress();
    for (let i = 0; i < 3; i++) assert.deepEqual(codesOf(await registerFrom(address)), []);

    const email = anEmail("one-too-many");
    const refused = await registerFrom(address, email);

    assert.deepEqual(codesOf(refused), ["RATE_LIMITED"]);
    const retryAfter = refused.body.errors?.[0]?.extensions?.retryAfterSeconds;
    assert.ok(typeof retryAfter === "number" && retryAfter > 0 && retryAfter <= WINDOW_SECONDS, `retryAfterSeconds: ${retryAfter}`);
    assert.equal(await users.prisma.user.count({ where: { email } }), 0);
  });

  it("counts attempts that fail too, such as probing for an e-mail address that has an account", async () => {
    const address = aClientAddress();
    const taken = await aUser(users.prisma);
    for (let i = 0; i < 3; i++) assert.deepEqual(codesOf(await registerFrom(address, taken.email)), ["CONFLICT"]);

    assert.deepEqual(codesOf(await registerFrom(address, taken.email)), ["RATE_LIMITED"]);
  });

  it("keeps other addresses signing up while one is refused", async () => {
    const busy = aClientAddress();
    for (let i = 0; i < 4; i++) await registerFrom(busy);
    assert.deepEqual(codesOf(await registerFrom(busy)), ["RATE_LIMITED"]);

    const other = await registerFrom(aClientAddress());
    assert.deepEqual(codesOf(other), []);
    assert.ok(other.body.data?.register.accessToken);
  });

  it("lets the address sign up again once the window has passed", async () => {
    const address = aClientAddress();
    for (let i = 0; i < 3; i++) await registerFrom(address);
    assert.deepEqual(codesOf(await registerFrom(address)), ["RATE_LIMITED"]);

    await users.prisma.loginThrottle.updateMany({
      where: { key: { startsWith: "signup:" } },
      data: { expire: new Date(Date.now() - 1_000) },
    });

    assert.deepEqual(codesOf(await registerFrom(address)), []);
  });
});
