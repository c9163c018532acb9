// `npm start`'s shop (one process, PGlite files, in-process bus), driven over HTTP.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { demoProducts, demoUsers } from "@storefront/demo-data";
import { silentLogger } from "@storefront/service";
import { freePort, graphqlRequest } from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
import { type EmbeddedShop, startEmbeddedShop } from "../../scripts/embedded.ts";

describe("the embedded default (npm start)", { timeout: 180_000 }, () => {
  let shop: EmbeddedShop;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "storefront-embedded-"));
    const names = ["users", "catalog", "inventory", "cart", "orders", "payments"];
    const subgraphPorts = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await freePort()] as const)));
    shop = await startEmbeddedShop({ dataDir, logger: silentLogger(), routerPort: await freePort(), subgraphPorts });
  });
  after(async () => {
    await shop?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves the seeded demo catalog through the router and reports ready", async () => {
    const ready = await fetch(shop.routerUrl.replace(/\/graphql$/, "/ready"));
    assert.equal(ready.status, 200);
    const { body } = await graphqlRequest<{ products: { totalCount: number } }>(shop.routerUrl, "{ products(first: 1) { totalCount } }");
    assert.deepEqual(body, { data: { products: { totalCount: demoProducts.length } } });
  });

  it("carries order.placed over the in-process bus to inventory and payments", async () => {
    const customer = demoUsers.find((u) => u.role === "CUSTOMER");
    const product = demoProducts[4];
    assert.ok(customer && product);
    const login = await graphqlRequest<{ login: { accessToken: string } }>(
      shop.routerUrl,
      "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
      {
        input: { email: customer.email, password: demoPasswords[customer.email] },
      },
    );
    const auth = { authorization: `Bearer ${login.body.data?.login.accessToken}` };
    const placed = await graphqlRequest<{ placeOrder: { id: string } }>(
      shop.routerUrl,
      "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }",
      { input: { items: [{ productId: product.id, quantity: 3 }] } },
      auth,
    );
    assert.deepEqual(placed.body.errors, undefined);
    const orderId = placed.body.data?.placeOrder.id;
    const deadline = Date.now() + 30_000;
    let answer: { order: { paymentStatus: string | null; items: { product: { inventory: { reserved: number } } }[] } } | null | undefined;
    while (Date.now() < deadline) {
      const { body } = await graphqlRequest<NonNullable<typeof answer>>(
        shop.routerUrl,
        "query($id: ID!) { order(id: $id) { paymentStatus items { product { inventory { reserved } } } } }",
        { id: orderId },
        auth,
      );
      answer = body.data;
      if (answer?.order.paymentStatus && answer.order.items[0]?.product.inventory.reserved) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(answer?.order.paymentStatus, "AWAITING_PAYMENT");
    assert.equal(answer?.order.items[0]?.product.inventory.reserved, 3);
  });
});
