import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { Kind, parse } from "graphql";
import { enforcingSupergraphHook, supergraphForGateway } from "../src/authorization/gateway.ts";
import { authorizeOperation } from "../src/authorization/operation.ts";
import { authorizationRulesOf } from "../src/authorization/rules.ts";
import { newSigningKey, signToken, startJwksServer, type TestJwksServer, type TestSigningKey } from "./support/keys.ts";
import { errorsAt, post, startTestRouter, type TestRouter } from "./support/router.ts";
import { accountsSdl, alice, bob, composeSupergraph, startTestShop, type TestShop } from "./support/shop.ts";

describe("router authorization (@authenticated, @requiresScopes)", () => {
  let key: TestSigningKey;
  let jwks: TestJwksServer;
  let shop: TestShop;
  let router: TestRouter;
  const as = {
    anonymous: async () => undefined,
    customer: () => signToken(key, { userId: alice.id, role: "CUSTOMER" }),
    admin: () => signToken(key, { userId: alice.id, role: "ADMIN" }),
    scopes: (scope: string) => signToken(key, { userId: alice.id, role: "CUSTOMER", scope }),
  };

  before(async () => {
    key = await newSigningKey();
    jwks = await startJwksServer([key]);
    shop = await startTestShop(jwks.url);
    router = await startTestRouter(shop.supergraphSdl, jwks.url);
  });
  after(async () => {
    await router?.close();
    await shop?.close();
    await jwks?.close();
  });

  const bobsAccount = `{
    shopName
    user(id: "${bob.id}") {
      name
      email
      audit { lastLogin }
      orders { id total }
    }
    reports { title }
  }`;

  it("answers an anonymous request for an @authenticated field with null and UNAUTHENTICATED, and the rest with data", async () => {
    const { status, body } = await post(router.url, "{ shopName me { name } }");
    assert.equal(status, 200);
    assert.deepEqual(body.data, { shopName: "Test shop", me: null });
    assert.deepEqual(errorsAt(body), ["UNAUTHENTICATED me"]);
    assert.equal(body.errors?.[0]?.message, "Sign in to see Query.me.");
  });

  it("shows a customer @authenticated fields but answers FORBIDDEN for fields and types needing scopes they lack", async () => {
    const { body } = await post(router.url, bobsAccount, { token: await as.customer() });
    assert.deepEqual(body.data, {
      shopName: "Test shop",
      user: { name: "Bob", email: bob.email, audit: null, orders: null },
      reports: null,
    });
    assert.deepEqual(errorsAt(body), ["FORBIDDEN reports", "FORBIDDEN user.audit", "FORBIDDEN user.orders"]);
  });

  it("shows an admin everything, fields of both subgraphs included", async () => {
    const { body } = await post(router.url, bobsAccount, { token: await as.admin() });
    assert.equal(body.errors, undefined);
    assert.deepEqual(body.data, {
      shopName: "Test shop",
      user: {
        name: "Bob",
        email: bob.email,
        audit: { lastLogin: "Bob last logged in yesterday" },
        orders: [{ id: `${bob.id}-order-1`, total: 1_000 }],
      },
      reports: [{ title: "Q1" }, { title: "Q2" }],
    });
  });

  it("answers an anonymous request for the same operation with UNAUTHENTICATED everywhere it is protected", async () => {
    const { body } = await post(router.url, bobsAccount);
    assert.deepEqual(body.data, { shopName: "Test shop", user: { name: "Bob", email: null, audit: null, orders: null }, reports: null });
    assert.deepEqual(errorsAt(body), [
      "UNAUTHENTICATED reports",
      "UNAUTHENTICATED user.audit",
      "UNAUTHENTICATED user.email",
      "UNAUTHENTICATED user.orders",
    ]);
  });

  it("grants a @requiresScopes field to a viewer holding every scope of any one of its scope sets", async () => {
    const query = `{ user(id: "${bob.id}") { audit { lastLogin } orders { id } } }`;
    const support = await post(router.url, query, { token: await as.scopes("support audit:read orders:read") });
    assert.equal(support.body.errors, undefined);
    assert.deepEqual(support.body.data, {
      user: { audit: { lastLogin: "Bob last logged in yesterday" }, orders: [{ id: `${bob.id}-order-1` }] },
    });

    const halfSet = await post(router.url, query, { token: await as.scopes("support") });
    assert.deepEqual(halfSet.body.data, { user: { audit: null, orders: null } });
    assert.deepEqual(errorsAt(halfSet.body), ["FORBIDDEN user.audit", "FORBIDDEN user.orders"]);
  });

  it("finds protected fields behind aliases and named fragments and reports them at their aliased paths", async () => {
    const { body } = await post(
      router.url,
      `{
        first: user(id: "${alice.id}") { ...Contact }
        second: user(id: "${bob.id}") { name mail: email }
      }
      fragment Contact on User { name email }`,
    );
    assert.deepEqual(body.data, { first: { name: "Alice", email: null }, second: { name: "Bob", mail: null } });
    assert.deepEqual(errorsAt(body), ["UNAUTHENTICATED first.email", "UNAUTHENTICATED second.mail"]);
  });

  it("removes fragments on a protected type inside a union, per list item, for inline fragments and fragment spreads alike", async () => {
    const inline = await post(router.url, "{ search { ... on Article { title } ... on Memo { text } } }");
    assert.deepEqual(inline.body.data, { search: [{ title: "Welcome" }, { text: null }] });
    assert.deepEqual(errorsAt(inline.body), ["UNAUTHENTICATED search.1.text"]);

    const spread = await post(
      router.url,
      "{ search { ...ArticleTitle ...MemoText } } fragment ArticleTitle on Article { title } fragment MemoText on Memo { text }",
    );
    assert.deepEqual(spread.body.data, inline.body.data);
    assert.deepEqual(errorsAt(spread.body), ["UNAUTHENTICATED search.1.text"]);

    const customer = await post(router.url, "{ search { ... on Article { title } ... on Memo { text } } }", { token: await as.customer() });
    assert.equal(customer.body.errors, undefined);
    assert.deepEqual(customer.body.data, { search: [{ title: "Welcome" }, { text: "private" }] });
  });

  it("removes a field selected on an interface when any implementation protects it, but not when asked through a permitted implementation", async () => {
    const token = await as.customer();
    const onInterface = await post(router.url, "{ listings { id price } }", { token });
    assert.deepEqual(onInterface.body.data, {
      listings: [
        { id: "listing-1", price: null },
        { id: "listing-2", price: null },
      ],
    });
    assert.deepEqual(errorsAt(onInterface.body), ["FORBIDDEN listings.0.price", "FORBIDDEN listings.1.price"]);

    const onRetail = await post(router.url, "{ listings { id ... on RetailListing { price } } }", { token });
    assert.equal(onRetail.body.errors, undefined);
    assert.deepEqual(onRetail.body.data, { listings: [{ id: "listing-1", price: 1_200 }, { id: "listing-2" }] });

    const admin = await post(router.url, "{ listings { id price } }", { token: await as.admin() });
    assert.deepEqual(admin.body.data, {
      listings: [
        { id: "listing-1", price: 1_200 },
        { id: "listing-2", price: 50_000 },
      ],
    });
  });

  it("nulls the nearest nullable parent of a removed non-null field, as GraphQL null propagation does", async () => {
    const nested = await post(router.url, `{ shopName user(id: "${alice.id}") { name profile { bio phone } } }`);
    assert.deepEqual(nested.body.data, { shopName: "Test shop", user: null });
    assert.deepEqual(errorsAt(nested.body), ["UNAUTHENTICATED user.profile.phone"]);

    const root = await post(router.url, "{ shopName secretCount }");
    assert.equal(root.body.data, null);
    assert.deepEqual(errorsAt(root.body), ["UNAUTHENTICATED secretCount"]);
  });

  it("keeps an object whose every selected field was removed, without leaking the __typename it asked for instead", async () => {
    const { body } = await post(router.url, `{ user(id: "${bob.id}") { email } }`);
    assert.deepEqual(body.data, { user: { email: null } });
    assert.deepEqual(errorsAt(body), ["UNAUTHENTICATED user.email"]);
  });

  it("adds no error for a protected field the operation skips", async () => {
    const query = "query Home($withMe: Boolean!) { shopName me @include(if: $withMe) { name } }";
    const skipped = await post(router.url, query, { variables: { withMe: false } });
    assert.deepEqual(skipped.body, { data: { shopName: "Test shop" } });
    const included = await post(router.url, query, { variables: { withMe: true } });
    assert.deepEqual(errorsAt(included.body), ["UNAUTHENTICATED me"]);
  });

  it("refuses a mutation field needing a scope the viewer lacks and runs it for one who holds it", async () => {
    const customer = await post(router.url, "mutation { resetPasswords }", { token: await as.customer() });
    assert.equal(customer.body.data, null);
    assert.deepEqual(errorsAt(customer.body), ["FORBIDDEN resetPasswords"]);
    const admin = await post(router.url, "mutation { resetPasswords }", { token: await as.admin() });
    assert.deepEqual(admin.body, { data: { resetPasswords: 2 } });
  });

  it("never reuses the query plan of a filtered operation for a viewer allowed to see more", async () => {
    const query = `query Account { user(id: "${bob.id}") { name email audit { lastLogin } } }`;
    await post(router.url, query);
    const admin = await post(router.url, query, { token: await as.admin() });
    assert.deepEqual(admin.body, {
      data: { user: { name: "Bob", email: bob.email, audit: { lastLogin: "Bob last logged in yesterday" } } },
    });
    const anonymousAgain = await post(router.url, query);
    assert.deepEqual(errorsAt(anonymousAgain.body), ["UNAUTHENTICATED user.audit", "UNAUTHENTICATED user.email"]);
  });

  it("follows the directives of a reloaded supergraph without a restart", async () => {
    const query = `{ shopName user(id: "${alice.id}") { name } }`;
    assert.equal((await post(router.url, query)).body.errors, undefined);
    router.writeSupergraph(
      composeSupergraph(shop.subgraphs, (name) =>
        name === "accounts" ? accountsSdl.replace("user(id: ID!): User", "user(id: ID!): User @authenticated") : undefined,
      ),
    );
    const deadline = Date.now() + 15_000;
    let body = (await post(router.url, query)).body;
    while (!body.errors && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      body = (await post(router.url, query)).body;
    }
    assert.deepEqual(body.data, { shopName: "Test shop", user: null });
    assert.deepEqual(errorsAt(body), ["UNAUTHENTICATED user"]);
    const customer = await post(router.url, query, { token: await as.customer() });
    assert.deepEqual(customer.body, { data: { shopName: "Test shop", user: { name: "Alice" } } });
    router.writeSupergraph(shop.supergraphSdl);
  });
});

describe("authorization rules from the supergraph", () => {
  const supergraphLinks = (extra: string) => `
    schema
      @link(url: "https://specs.apollo.dev/link/v1.0")
      @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
      @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
      @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)
      ${extra}
    { query: Query }
    type Query { a: String }`;

  it("lets the gateway load the security features the router enforces, and still refuse any other", () => {
    const accepted = supergraphForGateway(supergraphLinks('@link(url: "https://specs.apollo.dev/somethingElse/v0.1", for: SECURITY)'));
    assert.doesNotMatch(accepted, /authenticated\/v0\.1", for: SECURITY/);
    assert.doesNotMatch(accepted, /requiresScopes\/v0\.1", for: SECURITY/);
    assert.match(accepted, /somethingElse\/v0\.1", for: SECURITY/);
    assert.match(accepted, /join\/v0\.5", for: EXECUTION/);
  });

  it("passes every supergraph version the hook delivers through the same conversion", async () => {
    const sdl = supergraphLinks("");
    const delivered: string[] = [];
    const hook = enforcingSupergraphHook(async ({ update }) => {
      update(sdl);
      return { supergraphSdl: sdl };
    });
    const loaded = await hook({
      update: (next) => void delivered.push(next),
      healthCheck: async () => undefined,
      getDataSource: () => {
        throw new Error("not used");
      },
    });
    assert.equal(loaded.supergraphSdl, supergraphForGateway(sdl));
    assert.deepEqual(delivered, [supergraphForGateway(sdl)]);
  });

  it("reads directives renamed with @link(as:)", () => {
    const rules = authorizationRulesOf(`
      schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/authenticated/v0.1", as: "signedIn", for: SECURITY) { query: Query }
      directive @signedIn on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
      directive @authenticated on FIELD_DEFINITION
      type Query { me: String @signedIn, other: String @authenticated }`);
    assert.deepEqual(rules.fields.get("Query.me"), { authenticated: true, scopes: [], policy: false });
    assert.equal(rules.fields.get("Query.other"), undefined, "@authenticated is another directive once the feature is renamed");
  });

  it("treats @policy as never met (no policy engine), so such fields are refused rather than silently served", () => {
    const composed = composeServices([
      {
        name: "vault",
        url: "http://127.0.0.1:1/graphql",
        typeDefs: parse(`
          extend schema @link(url: "https://specs.apollo.dev/federation/v2.12", import: ["@policy"])
          type Query { open: String, guarded: String @policy(policies: [["read_guarded"]]) }`),
      },
    ]);
    assert.ok(composed.supergraphSdl, String(composed.errors));
    const apiSchema = composed.schema.toAPISchema().toGraphQLJSSchema();
    const admin = { userId: "admin", role: "ADMIN" as const, scopes: ["admin", "read_guarded"] };
    const decision = authorizeOperation(
      apiSchema,
      authorizationRulesOf(composed.supergraphSdl),
      parse("{ open guarded }"),
      undefined,
      admin,
    );
    const denied = [...(decision?.denied ?? new Map()).entries()].map(([node, denial]) => [
      node.kind === Kind.FIELD ? node.name.value : node.kind,
      denial,
    ]);
    assert.deepEqual(denied, [["guarded", "FORBIDDEN"]]);
  });
});
