import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestSubgraph } from "@storefront/testkit";
import { aClientAddress, type Users, usersModuleWith } from "./builders.ts";

const SECRET = "the orders service's secret, 32+ characters long";
const WINDOW_SECONDS = 900;
const throttled = usersModuleWith({ tokenFailuresPerClientId: 3, tokenFailuresPerAddress: 5, tokenFailureWindowSeconds: WINDOW_SECONDS });

const basic = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`;

describe("throttling failed client authentications at /oauth/token", () => {
  let users: Users;
  before(async () => {
    users = await startTestSubgraph(throttled, { serviceSecrets: { orders: SECRET } });
  });
  after(() => users.close());

  /** A client-credentials token request from `address` (as X-Forwarded-For, the way the throttle finds the address). */
  async function tokenRequest(address: string, clientId: string, secret: string) {
    const response = await fetch(new URL("/oauth/token", users.url), {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: basic(clientId, secret),
        "x-forwarded-for": address,
      },
      body: new URLSearchParams({ grant_type: "client_credentials" }),
    });
    const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body };
  }
  const failTimes = async (times: number, address: string, clientId = "orders") => {
    for (let i = 0; i < times; i++) assert.equal((await tokenRequest(address, clientId, `wrong secret ${i}`)).status, 401);
  };
  const assertThrottled = (response: Awaited<ReturnType<typeof tokenRequest>>) => {
    assert.equal(response.status, 429);
    assert.equal(response.body.error, "temporarily_unavailable");
    assert.match(response.body.error_description ?? "", /try again in \d+ seconds/);
    const retryAfter = Number(response.retryAfter);
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= WINDOW_SECONDS, `Retry-After: ${response.retryAfter}`);
  };

  it("refuses a client id from an address after 3 failures there with 429, Retry-After and an OAuth error, even with the right secret", async () => {
    const address = aClientAddress();
    await failTimes(3, address);

    assertThrottled(await tokenRequest(address, "orders", SECRET));
  });

  it("keeps issuing tokens to that client id from its own address while a stranger's address is refused", async () => {
    const stranger = aClientAddress();
    await failTimes(3, stranger);
    assertThrottled(await tokenRequest(stranger, "orders", SECRET));

    const own = await tokenRequest(aClientAddress(), "orders", SECRET);
    assert.equal(own.status, 200);
    assert.ok(own.body.access_token);
  });

  it("refuses every client id from an address after 5 failures there across client ids", async () => {
    const address = aClientAddress();
    for (const clientId of ["payments", "cart", "inventory", "catalog", "shipping"]) await failTimes(1, address, clientId);

    assertThrottled(await tokenRequest(address, "orders", SECRET));
    assert.equal((await tokenRequest(aClientAddress(), "orders", SECRET)).status, 200);
  });

  it("forgets a client id's failures from an address once it authenticates there", async () => {
    const address = aClientAddress();
    await failTimes(2, address);
    assert.equal((await tokenRequest(address, "orders", SECRET)).status, 200);
    await failTimes(2, address);

    assert.equal((await tokenRequest(address, "orders", SECRET)).status, 200);
  });
});
