// `npm start`'s shop (one process, PGlite files, in-process bus), driven over HTTP.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { demoProducts, demoUsers } from "@storefront/demo-data";
import { readRouterSettings } from "@storefront/router";
import { silentLogger } from "@storefront/service";
import { freePort, graphqlRequest } from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
import { type EmbeddedShop, startEmbeddedShop } from "../../scripts/embedded.ts";
import { cards, eventually, signIn } from "./support/shop.ts";

describe("the embedded default (npm start)", { timeout: 180_000 }, () => {
  let shop: EmbeddedShop;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "storefront-embedded-"));
    const names = ["users", "catalog", "inventory", "cart", "orders", "payments"];
    const subgraphPorts = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await freePort()] as const)));
    const router = readRouterSettings({ NODE_ENV: "test", PORT: String(await freePort()) });
    shop = await startEmbeddedShop({ dataDir, logger: silentLogger(), router, subgraphPorts });
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

  it("runs the order saga on the in-process bus: the demo customer checks out the seeded cart and pays", async () => {
    const customer = demoUsers.find((u) => u.role === "CUSTOMER");
    assert.ok(customer);
    const session = await signIn(shop.routerUrl, customer.email, demoPasswords[customer.email] ?? "");
    const checkout = await session.checkout();
    assert.deepEqual(checkout.body.errors, undefined, "the seeded cart ships to the seeded address");
    const order = checkout.body.data?.checkout;
    assert.ok(order);

    const paid = await session.pay(order.id, cards.approves);
    assert.equal(paid.payment.status, "CAPTURED");
    const settled = await session.orderReaches(order.id, "PAID", 30_000);
    assert.equal(settled.paymentStatus, "PAID");
    await eventually(
      () => session.cartCount(),
      (count) => count === 0,
      "the cart is emptied",
    );
  });
});
