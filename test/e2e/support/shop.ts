// A client of the shop for end-to-end tests: what a storefront does, over HTTP through the router, one function per
// step of a customer's (or an admin's) journey. Every step fails the test with the GraphQL errors when it fails.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { graphqlRequest } from "@storefront/testkit";

export type Answer<Data> = Awaited<ReturnType<typeof graphqlRequest<Data>>>;

/** Test cards of the payment simulator. */
export const cards = {
  approves: "4242424242424242",
  declines: "4000000000000002",
} as const;

export interface OrderView {
  readonly id: string;
  readonly status: string;
  readonly total: { readonly amount: number; readonly currency: string };
  readonly paymentStatus: string | null;
  readonly amountDue: { readonly amount: number } | null;
  readonly statusHistory: readonly { readonly from: string | null; readonly to: string; readonly actor: string }[];
  /** Null only while the payments service cannot be reached (the answer then has a SERVICE_UNAVAILABLE error). */
  readonly payments:
    | readonly {
        readonly status: string;
        readonly amount: { readonly amount: number };
        readonly refundedAmount: { readonly amount: number };
      }[]
    | null;
}

// The operations below are /* GraphQL */ templates with names: `npm run schema:check` finds them (GraphQL Code
// Generator's way of reading code) and validates them against the API schema, so a schema change that breaks the
// shop client fails there, naming the operation.
const ORDER_VIEW = /* GraphQL */ `
  fragment OrderView on Order {
    id
    status
    total { amount currency }
    paymentStatus
    amountDue { amount }
    statusHistory { from to actor }
    payments { status amount { amount } refundedAmount { amount } }
  }
`;

/** Polls `read` until `done` holds for its value (events travel through Kafka); fails with the last value after `timeoutMs`. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

/** One signed-in person's session with the shop. */
export function shopSession(routerUrl: string, accessToken: string) {
  const headers = { authorization: `Bearer ${accessToken}` };
  const call = <Data>(query: string, variables?: Record<string, unknown>) => graphqlRequest<Data>(routerUrl, query, variables, headers);
  /** Runs an operation that must succeed. */
  async function must<Data>(query: string, variables?: Record<string, unknown>): Promise<Data> {
    const { status, body } = await call<Data>(query, variables);
    assert.equal(status, 200);
    assert.deepEqual(body.errors, undefined, `${query.slice(0, 60)}…`);
    assert.ok(body.data);
    return body.data;
  }

  return {
    call,
    must,
    async addAddress(): Promise<string> {
      const { addAddress } = await must<{ addAddress: { id: string } }>(
        /* GraphQL */ `mutation AddAddress($input: AddressInput!) { addAddress(input: $input) { id } }`,
        { input: { recipientName: "Robin Roe", line1: "Hauptstr. 1", city: "Berlin", postalCode: "10115", countryCode: "DE" } },
      );
      return addAddress.id;
    },
    async addToCart(productId: string, quantity: number): Promise<void> {
      await must(
        /* GraphQL */ `mutation AddToCart($id: ID!, $quantity: Int!) { addToCart(productId: $id, quantity: $quantity) { itemCount } }`,
        {
          id: productId,
          quantity,
        },
      );
    },
    cartCount: async (): Promise<number> =>
      (await must<{ cart: { itemCount: number } }>(/* GraphQL */ `query CartCount { cart { itemCount } }`)).cart.itemCount,
    checkout: (idempotencyKey: string = randomUUID()) =>
      call<{ checkout: OrderView }>(
        /* GraphQL */ `mutation Checkout($input: CheckoutInput!) { checkout(input: $input) { ...OrderView } } ${ORDER_VIEW}`,
        {
          input: { idempotencyKey },
        },
      ),
    order: async (id: string): Promise<OrderView> =>
      (await must<{ order: OrderView }>(/* GraphQL */ `query Order($id: ID!) { order(id: $id) { ...OrderView } } ${ORDER_VIEW}`, { id }))
        .order,
    /** Pays once payments has heard of the order (order.placed travels through Kafka first). */
    async pay(orderId: string, cardNumber: string, idempotencyKey: string = randomUUID()) {
      type Paid = { payOrder: { payment: { id: string; status: string }; failure: { code: string; reason: string } | null } };
      const pay = () =>
        call<Paid>(
          /* GraphQL */ `mutation PayOrder($input: PayOrderInput!) { payOrder(input: $input) { payment { id status } failure { code reason } } }`,
          {
            input: { orderId, idempotencyKey, method: { cardNumber, expiryMonth: 12, expiryYear: 2030, cvc: "123" } },
          },
        );
      const answer = await eventually(
        pay,
        (a) => a.body.errors?.[0]?.extensions?.code !== "NOT_FOUND",
        `payments learns of order ${orderId}`,
      );
      assert.deepEqual(answer.body.errors, undefined);
      return answer.body.data?.payOrder as Paid["payOrder"];
    },
    async cancel(orderId: string, reason = "changed my mind"): Promise<OrderView> {
      return (
        await must<{ cancelOrder: OrderView }>(
          /* GraphQL */ `mutation CancelOrder($id: ID!, $reason: String!) { cancelOrder(id: $id, reason: $reason) { ...OrderView } } ${ORDER_VIEW}`,
          { id: orderId, reason },
        )
      ).cancelOrder;
    },
    /** Waits until the order reaches `status` through the saga's events. */
    orderReaches(orderId: string, status: string, timeoutMs?: number): Promise<OrderView> {
      return eventually(
        () => this.order(orderId),
        (order) => order.status === status,
        `order ${orderId} becomes ${status}`,
        timeoutMs,
      );
    },
  };
}

export type ShopSession = ReturnType<typeof shopSession>;

/** Registers a new customer and signs them in. */
export async function aNewCustomer(routerUrl: string, label = "customer"): Promise<ShopSession & { userId: string }> {
  const { body } = await graphqlRequest<{ register: { accessToken: string; user: { id: string } } }>(
    routerUrl,
    /* GraphQL */ `mutation Register($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`,
    { input: { email: `${label}-${randomUUID()}@example.com`, password: "correct horse battery", name: "Robin" } },
  );
  assert.deepEqual(body.errors, undefined);
  const registered = body.data?.register;
  assert.ok(registered);
  return { ...shopSession(routerUrl, registered.accessToken), userId: registered.user.id };
}

/** Signs in with e-mail and password (the demo admin, for example). */
export async function signIn(routerUrl: string, email: string, password: string): Promise<ShopSession> {
  const { body } = await graphqlRequest<{ login: { accessToken: string } }>(
    routerUrl,
    /* GraphQL */ `mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }`,
    { input: { email, password } },
  );
  assert.deepEqual(body.errors, undefined);
  return shopSession(routerUrl, body.data?.login.accessToken ?? "");
}

/** An admin's steps: a new product with exactly `onHand` units in stock. */
export async function aStockedProduct(
  admin: ShopSession,
  onHand: number,
  priceAmount = 4_900,
): Promise<{ id: string; priceAmount: number }> {
  const { createProduct } = await admin.must<{ createProduct: { id: string } }>(
    /* GraphQL */ `mutation CreateProduct($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
    { input: { sku: `E2E-${randomUUID().slice(0, 8)}`, name: "Limited print", price: { amount: priceAmount, currency: "EUR" } } },
  );
  await admin.must(
    /* GraphQL */ `mutation SetStockLevel($input: SetStockLevelInput!) { setStockLevel(input: $input) { product { id } } }`,
    {
      input: { productId: createProduct.id, onHand, note: "e2e" },
    },
  );
  return { id: createProduct.id, priceAmount };
}

/** What inventory says about a product (asked as an admin). */
export async function stockOf(admin: ShopSession, productId: string) {
  const { product } = await admin.must<{ product: { inventory: { onHand: number; reserved: number; available: number } | null } }>(
    /* GraphQL */ `query StockOf($id: ID) { product(id: $id) { inventory { onHand reserved available } } }`,
    { id: productId },
  );
  assert.ok(product.inventory, "inventory answered");
  return product.inventory;
}

/** A new customer with an address and `quantity` units of the product in their cart, ready to check out. */
export async function aCustomerWithCart(routerUrl: string, productId: string, quantity = 1): Promise<ShopSession & { userId: string }> {
  const customer = await aNewCustomer(routerUrl);
  await customer.addAddress();
  await customer.addToCart(productId, quantity);
  return customer;
}

/**
 * `count` new customers with `quantity` of the product in their carts, signed up one at a time: several sign-ups at
 * once (password hashing on every one) can outrun the users subgraph's timeout on a busy 2-core machine, and the
 * setup is not what a test is about.
 */
export async function customersWithCart(
  routerUrl: string,
  productId: string,
  quantity: number,
  count: number,
): Promise<(ShopSession & { userId: string })[]> {
  const customers: (ShopSession & { userId: string })[] = [];
  for (let i = 0; i < count; i++) customers.push(await aCustomerWithCart(routerUrl, productId, quantity));
  return customers;
}

export interface StockMovementView {
  readonly kind: string;
  readonly quantity: number;
  readonly orderId: string | null;
}

/** A product's stock ledger, oldest first (asked as an admin): what moved for which order, to count effects. */
export async function stockMovementsOf(admin: ShopSession, productId: string): Promise<StockMovementView[]> {
  const { product } = await admin.must<{ product: { stockMovements: { edges: { node: StockMovementView }[]; totalCount: number } } }>(
    /* GraphQL */ `query StockMovementsOf($id: ID) { product(id: $id) { stockMovements(first: 100) { totalCount edges { node { kind quantity orderId } } } } }`,
    { id: productId },
  );
  assert.ok(product.stockMovements.totalCount <= 100, "more movements than one page holds");
  return product.stockMovements.edges.map((edge) => edge.node).reverse();
}
