// The distributed way, end to end: six subgraph processes (each on its own database, events on
// Kafka when KAFKA_BROKERS is set) and the router process, driven over HTTP like a client would.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { demoProducts, demoUsers } from "@storefront/demo-data";
import { graphqlRequest, type SupergraphProcesses, startSupergraphProcesses } from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";

const customer = demoUsers.find((user) => user.role === "CUSTOMER");

const WHOLE_GRAPH = `query Customer {
  me {
    name
    cart {
      itemCount
      items { quantity product { sku name price { amount currency } inStock inventory { onHand reserved available } } }
    }
    orders(first: 5) {
      totalCount
      edges { node { id status total { amount currency } amountDue { amount currency } paymentStatus items { sku quantity product { id } } } }
    }
  }
}`;

type Customer = {
  me: {
    name: string;
    cart: {
      itemCount: number;
      items: {
        quantity: number;
        product: {
          sku: string;
          name: string;
          price: { amount: number };
          inStock: boolean;
          inventory: { onHand: number; reserved: number; available: number };
        };
      }[];
    };
    orders: {
      totalCount: number;
      edges: {
        node: {
          id: string;
          status: string;
          total: { amount: number };
          amountDue: { amount: number } | null;
          paymentStatus: string | null;
          items: { sku: string; quantity: number }[];
        };
      }[];
    };
  };
};

describe("the supergraph as separate processes", { timeout: 180_000 }, () => {
  let stack: SupergraphProcesses;
  let accessToken = "";
  const graphql = <Data>(query: string, variables?: Record<string, unknown>) =>
    graphqlRequest<Data>(stack.routerUrl, query, variables, accessToken ? { authorization: `Bearer ${accessToken}` } : {});

  before(async () => {
    stack = await startSupergraphProcesses({
      subgraphs: ["users", "catalog", "inventory", "cart", "orders", "payments"],
      env: { KAFKA_NAMESPACE: `e2e-${randomUUID().slice(0, 8)}` },
    });
    const email = customer?.email ?? "";
    const login = await graphql<{ login: { accessToken: string } }>(
      "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
      { input: { email, password: demoPasswords[email] } },
    );
    assert.deepEqual(login.body.errors, undefined, "the demo customer signs in through the router");
    accessToken = login.body.data?.login.accessToken ?? "";
  });
  after(() => stack?.stop());

  it("answers one query that needs all six subgraphs", async () => {
    assert.ok(customer, "demo data has a customer");
    const { status, body } = await graphql<Customer>(WHOLE_GRAPH);
    assert.equal(status, 200);
    assert.deepEqual(body.errors, undefined);
    const user = body.data?.me;
    assert.equal(user?.name, customer.name); // users
    assert.equal(user?.cart.itemCount, 3); // cart (seeded: 1 + 2)
    const first = user?.cart.items.find((item) => item.product.sku === demoProducts[0]?.sku);
    assert.equal(first?.product.sku, demoProducts[0]?.sku); // catalog, through the cart's reference
    assert.equal(first?.product.price.amount, demoProducts[0]?.priceAmount);
    assert.equal(first?.product.inventory.onHand, demoProducts[0]?.stock); // inventory
    assert.equal(first?.product.inStock, true);
    assert.equal(user?.orders.totalCount, 0); // orders
  });

  it("rejects bad input with a stable error code, not a crash", async () => {
    const { status, body } = await graphql('mutation { checkout(input: { idempotencyKey: "" }) { id } }');
    assert.equal(status, 200);
    assert.equal(body.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
  });

  it("lets a new customer register, browse, fill a cart and see only their own data", async () => {
    const asUser = (token: string) => ({ authorization: `Bearer ${token}` });
    const register = (email: string) =>
      graphqlRequest<{ register: { accessToken: string; user: { id: string } } }>(
        stack.routerUrl,
        "mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }",
        { input: { email, password: "correct horse battery", name: "New Customer" } },
      );
    const first = (await register(`first-${randomUUID()}@example.com`)).body.data?.register;
    const second = (await register(`second-${randomUUID()}@example.com`)).body.data?.register;
    assert.ok(first && second, "both customers registered");

    const browse = await graphqlRequest<{ products: { edges: { node: { id: string; name: string; inStock: boolean } }[] } }>(
      stack.routerUrl,
      'query { products(first: 3, filter: { categorySlug: "audio", inStock: true }, sort: PRICE_ASC) { edges { node { id name inStock } } } }',
    );
    assert.deepEqual(browse.body.errors, undefined);
    const product = browse.body.data?.products.edges[0]?.node;
    assert.ok(product?.inStock, "an audio product in stock");

    const added = await graphqlRequest<{ addToCart: { itemCount: number; subtotal: { amount: number } } }>(
      stack.routerUrl,
      "mutation($id: ID!) { addToCart(productId: $id, quantity: 2) { itemCount subtotal { amount } } }",
      { id: product.id },
      asUser(first.accessToken),
    );
    assert.deepEqual(added.body.errors, undefined);
    assert.equal(added.body.data?.addToCart.itemCount, 2);

    // The second customer asks for the first one's account, cart and orders by id.
    const snooping = await graphqlRequest<{ user: unknown }>(
      stack.routerUrl,
      "query($id: ID!) { user(id: $id) { name cart { itemCount } orders { totalCount } } }",
      { id: first.user.id },
      asUser(second.accessToken),
    );
    assert.equal(snooping.body.data?.user ?? null, null);
    assert.ok(
      snooping.body.errors?.every((error) => error.extensions?.code === "FORBIDDEN"),
      JSON.stringify(snooping.body.errors),
    );

    const anonymousCart = await graphqlRequest(stack.routerUrl, "{ cart { itemCount } }");
    assert.equal(anonymousCart.body.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
  });
});
