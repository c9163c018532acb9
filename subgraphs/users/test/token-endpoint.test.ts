import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createAccessTokenVerifier,
  createServiceTokenSource,
  serviceClientOf,
  serviceScopes,
  type VerifyAccessToken,
} from "@storefront/auth";
import { startTestSubgraph } from "@storefront/testkit";
import { decodeJwt } from "jose";
import { usersSubgraph } from "../src/index.ts";
import { as, aUser, jwksUrlOf, overHttp, type Users } from "./builders.ts";

// Awkward on purpose: ':' '+' '/' '%' and a space must survive the Basic header's url-encoding.
const SECRET = "orders secret: 50% +more/chars-0123456789abcdef";
const orders = serviceClientOf("orders");
assert.ok(orders, "the orders service client is registered");

type TokenBody = {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
};

const tokenUrlOf = (users: Users) => new URL("/oauth/token", users.url);

/** HTTP Basic client credentials, each half url-encoded as RFC 6749 §2.3.1 asks. */
const basic = (clientId: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`;

async function postToken(users: Users, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(tokenUrlOf(users), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as TokenBody };
}

const CLIENT_CREDENTIALS = { grant_type: "client_credentials" };

describe("the OAuth 2.0 token endpoint (client credentials)", () => {
  let users: Users;
  // Verifies tokens against the subgraph's own JWKS; its URL is known only once the subgraph listens.
  let verifyOwnTokens: VerifyAccessToken | undefined;
  before(async () => {
    users = await startTestSubgraph(usersSubgraph, {
      serviceSecrets: { orders: SECRET },
      verifyAccessToken: (token) => (verifyOwnTokens ? verifyOwnTokens(token) : Promise.reject(new Error("not started"))),
    });
    verifyOwnTokens = createAccessTokenVerifier({ jwks: jwksUrlOf(users) });
  });
  after(() => users.close());

  const verify = (token: string | undefined) => {
    assert.ok(token, "an access token");
    assert.ok(verifyOwnTokens);
    return verifyOwnTokens(token);
  };

  describe("issuing", () => {
    it("issues a Bearer token with the client's registered scopes to HTTP Basic credentials (client_secret_basic)", async () => {
      const { status, headers, body } = await postToken(users, CLIENT_CREDENTIALS, { authorization: basic("orders", SECRET) });

      assert.equal(status, 200);
      assert.equal(headers.get("cache-control"), "no-store");
      assert.equal(body.token_type, "Bearer");
      assert.equal(body.scope, orders.scopes.join(" "));
      assert.deepEqual(await verify(body.access_token), { userId: orders.subject, role: "SERVICE", scopes: [...orders.scopes] });
      const claims = decodeJwt(body.access_token ?? "");
      assert.equal(claims.client_id, "orders");
      assert.equal(body.expires_in, (claims.exp ?? 0) - (claims.iat ?? 0));
      assert.ok((body.expires_in ?? 0) > 0 && (body.expires_in ?? 0) <= 300, `expires_in ${body.expires_in}`);
    });

    it("issues the same kind of token to credentials in the form (client_secret_post)", async () => {
      const { status, headers, body } = await postToken(users, { ...CLIENT_CREDENTIALS, client_id: "orders", client_secret: SECRET });

      assert.equal(status, 200);
      assert.equal(headers.get("cache-control"), "no-store");
      assert.deepEqual(await verify(body.access_token), { userId: orders.subject, role: "SERVICE", scopes: [...orders.scopes] });
    });

    it("grants only the scopes asked for with `scope`", async () => {
      const { status, body } = await postToken(
        users,
        { ...CLIENT_CREDENTIALS, scope: `${serviceScopes.readCarts} ${serviceScopes.reserveStock}` },
        { authorization: basic("orders", SECRET) },
      );

      assert.equal(status, 200);
      assert.equal(body.scope, "cart:read inventory:reserve");
      assert.deepEqual((await verify(body.access_token)).scopes, ["cart:read", "inventory:reserve"]);
    });

    it("serves the service's own token source (createServiceTokenSource) a token the JWKS verifies", async () => {
      const tokens = createServiceTokenSource({ tokenUrl: tokenUrlOf(users), clientId: "orders", clientSecret: SECRET });

      const viewer = await verify(await tokens.token());

      assert.deepEqual(viewer, { userId: orders.subject, role: "SERVICE", scopes: [...orders.scopes] });
    });

    it("decodes Basic credentials form-encoded as RFC 6749 §2.3.1 says (a space as '+')", async () => {
      const formEncoded = (value: string) => new URLSearchParams({ value }).toString().slice("value=".length);
      assert.match(formEncoded(SECRET), /\+/, "the secret's space is sent as '+'");
      const authorization = `Basic ${Buffer.from(`orders:${formEncoded(SECRET)}`).toString("base64")}`;

      const { status, body } = await postToken(users, CLIENT_CREDENTIALS, { authorization });

      assert.equal(status, 200, JSON.stringify(body));
      assert.equal((await verify(body.access_token)).role, "SERVICE");
    });
  });

  describe("refusing", () => {
    const assertRefused = (
      response: Awaited<ReturnType<typeof postToken>>,
      status: number,
      error: "invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_scope",
    ) => {
      assert.equal(response.status, status, JSON.stringify(response.body));
      assert.equal(response.body.error, error);
      assert.equal(typeof response.body.error_description, "string");
      assert.equal(response.body.access_token, undefined);
      assert.equal(response.headers.get("cache-control"), "no-store");
    };

    it("refuses a wrong secret, an unknown client and missing credentials with 401 invalid_client and a Basic challenge", async () => {
      const attempts = {
        "wrong secret (Basic)": await postToken(users, CLIENT_CREDENTIALS, { authorization: basic("orders", `${SECRET}x`) }),
        "wrong secret (form)": await postToken(users, { ...CLIENT_CREDENTIALS, client_id: "orders", client_secret: "orders" }),
        "unknown client": await postToken(users, CLIENT_CREDENTIALS, { authorization: basic("payments", SECRET) }),
        "inherited property name as client": await postToken(users, CLIENT_CREDENTIALS, { authorization: basic("constructor", SECRET) }),
        "no credentials": await postToken(users, CLIENT_CREDENTIALS),
        "id without secret": await postToken(users, { ...CLIENT_CREDENTIALS, client_id: "orders" }),
      };

      for (const [attempt, response] of Object.entries(attempts)) {
        assert.equal(response.status, 401, attempt);
        assert.equal(response.body.error, "invalid_client", attempt);
        assert.match(response.headers.get("www-authenticate") ?? "", /^Basic realm=/, attempt);
        assert.equal(response.body.access_token, undefined, attempt);
      }
    });

    it("refuses a client authenticating both ways at once with 400 invalid_request", async () => {
      const response = await postToken(
        users,
        { ...CLIENT_CREDENTIALS, client_id: "orders", client_secret: SECRET },
        { authorization: basic("orders", SECRET) },
      );
      assertRefused(response, 400, "invalid_request");
    });

    it("refuses an Authorization header that is not Basic credentials with 400 invalid_request", async () => {
      assertRefused(await postToken(users, CLIENT_CREDENTIALS, { authorization: "Bearer abc.def.ghi" }), 400, "invalid_request");
      const noColon = `Basic ${Buffer.from("orders").toString("base64")}`;
      assertRefused(await postToken(users, CLIENT_CREDENTIALS, { authorization: noColon }), 400, "invalid_request");
    });

    it("refuses any grant but client_credentials with 400 unsupported_grant_type", async () => {
      const authorization = basic("orders", SECRET);
      assertRefused(await postToken(users, { grant_type: "password" }, { authorization }), 400, "unsupported_grant_type");
      assertRefused(await postToken(users, {}, { authorization }), 400, "unsupported_grant_type");
    });

    it("refuses a scope the client is not registered for, or an empty one, with 400 invalid_scope", async () => {
      const authorization = basic("orders", SECRET);
      for (const scope of ["admin", `${serviceScopes.readCarts} admin`, ""]) {
        assertRefused(await postToken(users, { ...CLIENT_CREDENTIALS, scope }, { authorization }), 400, "invalid_scope");
      }
    });

    it("answers GET with 405 and Allow: POST", async () => {
      const response = await fetch(tokenUrlOf(users), { headers: { authorization: basic("orders", SECRET) } });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get("allow"), "POST");
      assert.equal(((await response.json()) as TokenBody).access_token, undefined);
    });

    it("refuses a JSON body with 400 invalid_request", async () => {
      const response = await fetch(tokenUrlOf(users), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: basic("orders", SECRET) },
        body: JSON.stringify(CLIENT_CREDENTIALS),
      });
      assertRefused(
        { status: response.status, headers: response.headers, body: (await response.json()) as TokenBody },
        400,
        "invalid_request",
      );
    });

    it("refuses a body over 4 KB with 413", async () => {
      const response = await postToken(
        users,
        { ...CLIENT_CREDENTIALS, scope: "x".repeat(5_000) },
        { authorization: basic("orders", SECRET) },
      );
      assert.equal(response.status, 413);
      assert.equal(response.body.error, "invalid_request");
    });
  });

  describe("a service token at work: the checkout reading a customer's address book", () => {
    const ADD_ADDRESS = "mutation($input: AddressInput!) { addAddress(input: $input) { id } }";
    const ADDRESS_BOOKS = `query($r: [_Any!]!) {
      _entities(representations: $r) { ... on User { id addresses { id line1 } defaultAddress { id } } }
    }`;
    type AddressBooks = {
      _entities: ({ id: string; addresses: { id: string; line1: string }[] | null; defaultAddress: { id: string } | null } | null)[];
    };

    const aCustomerWithAnAddress = async () => {
      const customer = await aUser(users.prisma);
      const { addAddress } = await users.query<{ addAddress: { id: string } }>(
        ADD_ADDRESS,
        {
          input: { recipientName: "Ada Lovelace", line1: "12 Analytical Street", city: "London", postalCode: "NW1 6XE", countryCode: "GB" },
        },
        as(customer),
      );
      return { customer, addressId: addAddress.id };
    };
    const tokenWith = async (scope?: string) => {
      const { status, body } = await postToken(
        users,
        { ...CLIENT_CREDENTIALS, ...(scope === undefined ? {} : { scope }) },
        {
          authorization: basic("orders", SECRET),
        },
      );
      assert.equal(status, 200, JSON.stringify(body));
      assert.ok(body.access_token);
      return body.access_token;
    };

    it("reads the addresses over HTTP with a token holding users:addresses:read", async () => {
      const { customer, addressId } = await aCustomerWithAnAddress();

      const { body } = await overHttp<AddressBooks>(
        users,
        ADDRESS_BOOKS,
        { r: [{ __typename: "User", id: customer.id }] },
        { accessToken: await tokenWith(serviceScopes.readAddresses) },
      );

      assert.deepEqual(body.errors, undefined);
      assert.deepEqual(body.data?._entities, [
        { id: customer.id, addresses: [{ id: addressId, line1: "12 Analytical Street" }], defaultAddress: { id: addressId } },
      ]);
    });

    it("gets FORBIDDEN for the addresses with a token lacking that scope, and for the e-mail even with it", async () => {
      const { customer } = await aCustomerWithAnAddress();
      const r = [{ __typename: "User", id: customer.id }];

      const without = await overHttp<AddressBooks>(users, ADDRESS_BOOKS, { r }, { accessToken: await tokenWith(serviceScopes.readCarts) });
      assert.deepEqual(without.body.data?._entities, [{ id: customer.id, addresses: null, defaultAddress: null }]);
      assert.deepEqual(
        without.body.errors?.map((error) => [error.extensions?.code, error.extensions?.field]),
        [
          ["FORBIDDEN", "addresses"],
          ["FORBIDDEN", "defaultAddress"],
        ],
      );

      // the scope opens the address book only, not the customer's other private fields
      const email = await overHttp<{ _entities: { email: string | null }[] }>(
        users,
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { email } } }",
        { r },
        { accessToken: await tokenWith() },
      );
      assert.deepEqual(email.body.data?._entities, [{ email: null }]);
      assert.deepEqual(
        email.body.errors?.map((error) => error.extensions?.code),
        ["FORBIDDEN"],
      );
    });
  });
});

describe("the token endpoint without configured secrets", () => {
  let users: Users;
  before(async () => {
    users = await startTestSubgraph(usersSubgraph);
  });
  after(() => users.close());

  it("issues no token to a registered client whose secret is not configured, whatever it sends", async () => {
    for (const secret of [SECRET, "", "undefined"]) {
      const response = await postToken(users, CLIENT_CREDENTIALS, { authorization: basic("orders", secret) });
      assert.equal(response.status, 401, `secret ${JSON.stringify(secret)}`);
      assert.equal(response.body.error, "invalid_client");
    }
  });
});
