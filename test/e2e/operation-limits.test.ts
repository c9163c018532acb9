// The router's operation limits on the real processes, with their defaults: the hostile shapes measured against a
// running shop are refused with OPERATION_LIMIT_EXCEEDED while other clients are served, and what real clients send
// (the README's operations, the shop client's journey, a storefront's pages) passes.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { demoProducts, demoUsers } from "@storefront/demo-data";
import { graphqlRequest, type SupergraphProcesses, startSupergraphProcesses } from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
import { aCustomerWithCart, aNewCustomer } from "./support/shop.ts";

const readme = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
const repeat = (count: number, make: (i: number) => string) => Array.from({ length: count }, (_, i) => make(i)).join(" ");

/** The three shapes measured against a running shop before the limits existed. */
const hostile = {
  // ~370 bytes; each extra children/parent pair doubled the answer (13 pairs: 1.3 MB in ~2 s).
  deepChildrenParent: `{ category(slug: "audio") { ${"children { parent { ".repeat(13)}id${" } }".repeat(13)} } }`,
  // 124 KB; took 10 s and stalled every other catalog query.
  fiveThousandAliases: `{ ${repeat(5_000, (i) => `a${i}: categories { id }`)} }`,
  // ~9,000 entities fetched across catalog and inventory.
  threeHundredProductPages: `{ ${repeat(300, (i) => `p${i}: products(first: 100) { edges { node { id inStock inventory { available } } } }`)} }`,
  // Within the token, alias and root-field limits, but 13 pages of 100 products with stock and category.
  thirteenProductPages: `{ ${repeat(13, (i) => `p${i}: products(first: 100) { edges { node { id inventory { available } category { name } } } }`)} }`,
};

const STOREFRONT = {
  listing: `query Listing($first: Int!) {
    products(first: $first, sort: NEWEST) {
      totalCount
      edges { cursor node { id sku name images price { amount currency } category { name slug } inStock inventory { available } } }
      pageInfo { hasNextPage endCursor }
    }
    categories { id name slug children { id name slug } }
  }`,
  productPage: `query ProductPage($id: ID!) {
    product(id: $id) {
      id sku name description images price { amount currency } active
      category { name path { slug name } }
      inStock inventory { available }
    }
  }`,
  accountPage: `query Account {
    me {
      id name email role
      addresses { id recipientName line1 city postalCode countryCode isDefault }
      cart { itemCount subtotal { amount currency } items { quantity unitPrice { amount currency } lineTotal { amount currency } product { id name inStock price { amount currency } } } }
      orders(first: 10) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node {
          id status createdAt canCancel paymentStatus
          total { amount currency } amountDue { amount currency }
          items { productName quantity unitPrice { amount currency } lineTotal { amount currency } product { id name } }
          statusHistory { from to at actor }
          payments { id status amount { amount currency } refundedAmount { amount } card { brand last4 } refunds { amount { amount } reason } }
        } }
      }
    }
  }`,
};

/** Codes that mean the router refused the operation itself rather than ran it. */
const REFUSALS = new Set(["OPERATION_LIMIT_EXCEEDED", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"]);

/** Each ```graphql block of the README with the ```json variables under it, placeholders filled with fresh values. */
function readmeOperations(): { name: string; query: string; variables?: Record<string, unknown> }[] {
  const fill = (value: unknown): unknown => {
    if (typeof value === "string" && /^<.+>$/.test(value))
      return /e-mail/.test(value) ? `reader-${randomUUID()}@example.com` : randomUUID();
    if (Array.isArray(value)) return value.map(fill);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  const operations: { name: string; query: string; variables?: Record<string, unknown> }[] = [];
  for (const [, language, body = ""] of readme.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)) {
    const last = operations.at(-1);
    if (language === "graphql") operations.push({ name: /(?:query|mutation)\s+(\w+)/.exec(body)?.[1] ?? body.slice(0, 40), query: body });
    else if (language === "json" && last && !last.variables) last.variables = fill(JSON.parse(body)) as Record<string, unknown>;
  }
  return operations;
}

describe("operation limits on the real processes", { timeout: 240_000 }, () => {
  let stack: SupergraphProcesses;
  let customerToken = "";

  before(async () => {
    stack = await startSupergraphProcesses({
      subgraphs: ["users", "catalog", "inventory", "cart", "orders", "payments"],
      env: { KAFKA_NAMESPACE: `e2e-limits-${randomUUID().slice(0, 8)}` },
    });
    const email = demoUsers.find((user) => user.role === "CUSTOMER")?.email ?? "";
    const login = await graphqlRequest<{ login: { accessToken: string } }>(
      stack.routerUrl,
      "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
      { input: { email, password: demoPasswords[email] } },
    );
    assert.deepEqual(login.body.errors, undefined);
    customerToken = login.body.data?.login.accessToken ?? "";
  });
  after(() => stack?.stop());

  it("refuses the hostile shapes with OPERATION_LIMIT_EXCEEDED while { __typename } from other clients is answered", async () => {
    const typenames = Promise.all(Array.from({ length: 20 }, () => graphqlRequest(stack.routerUrl, "{ __typename }")));
    const refusals = Promise.all(
      Object.entries(hostile).map(async ([shape, query]) => {
        const { status, body } = await graphqlRequest(stack.routerUrl, query);
        const extensions = body.errors?.[0]?.extensions ?? {};
        return { shape, status, code: extensions.code, limit: extensions.limit, data: body.data };
      }),
    );
    assert.deepEqual(await refusals, [
      { shape: "deepChildrenParent", status: 400, code: "OPERATION_LIMIT_EXCEEDED", limit: "depth", data: undefined },
      { shape: "fiveThousandAliases", status: 400, code: "OPERATION_LIMIT_EXCEEDED", limit: "tokens", data: undefined },
      { shape: "threeHundredProductPages", status: 400, code: "OPERATION_LIMIT_EXCEEDED", limit: "tokens", data: undefined },
      { shape: "thirteenProductPages", status: 400, code: "OPERATION_LIMIT_EXCEEDED", limit: "cost", data: undefined },
    ]);
    for (const { status, body } of await typenames) {
      assert.equal(status, 200);
      assert.deepEqual(body, { data: { __typename: "Query" } });
    }
  });

  it("runs the README's operations without refusing any of them", async () => {
    const reader = await aNewCustomer(stack.routerUrl, "readme");
    const operations = readmeOperations();
    assert.ok(operations.length >= 5, `the README has its examples (${operations.length} found)`);
    for (const { name, query, variables } of operations) {
      const { body } = await reader.call(query, variables);
      for (const error of body.errors ?? []) {
        const code = String(error.extensions?.code);
        assert.ok(!REFUSALS.has(code), `README ${name}: refused with ${code}: ${error.message}`);
        assert.ok(!(code === "BAD_USER_INPUT" && error.message.startsWith('Variable "$')), `README ${name}: ${error.message}`);
      }
    }
  });

  it("serves a storefront's pages: a listing of 50 with stock and category, a product page, the account page", async () => {
    const headers = { authorization: `Bearer ${customerToken}` };
    const listing = await graphqlRequest<{ products: { edges: { node: { id: string } }[] } }>(
      stack.routerUrl,
      STOREFRONT.listing,
      { first: 50 },
      headers,
    );
    assert.deepEqual(listing.body.errors, undefined);
    assert.equal(listing.body.data?.products.edges.length, Math.min(50, demoProducts.length));
    const productPage = await graphqlRequest(stack.routerUrl, STOREFRONT.productPage, { id: demoProducts[0]?.id }, headers);
    assert.deepEqual(productPage.body.errors, undefined);
    const account = await graphqlRequest<{ me: { cart: { itemCount: number } } }>(
      stack.routerUrl,
      STOREFRONT.accountPage,
      undefined,
      headers,
    );
    assert.deepEqual(account.body.errors, undefined);
    assert.equal(account.body.data?.me.cart.itemCount, 3, "the demo customer's seeded cart");
  });

  it("lets the shop client's journey through: register, address, cart, checkout, the order, the account page with it", async () => {
    const product = demoProducts.find((candidate) => candidate.stock > 2);
    assert.ok(product);
    const customer = await aCustomerWithCart(stack.routerUrl, product.id, 2);
    const checkout = await customer.checkout();
    assert.deepEqual(checkout.body.errors, undefined);
    const orderId = checkout.body.data?.checkout.id ?? "";
    assert.equal((await customer.order(orderId)).id, orderId);
    const account = await customer.must<{ me: { orders: { totalCount: number } } }>(STOREFRONT.accountPage);
    assert.equal(account.me.orders.totalCount, 1);
  });
});
