// `npm start` run again on the same .data directory: demo seeding converges, so a restart changes no row in any
// subgraph's database, whatever the demo customer and the demo admin did in between.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { demoAddresses, demoProducts, demoUsers } from "@storefront/demo-data";
import { type RouterSettings, readRouterSettings } from "@storefront/router";
import { silentLogger } from "@storefront/service";
import { freePort } from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
import { type EmbeddedShop, startEmbeddedShop } from "../../scripts/embedded.ts";
import { cards, eventually, signIn } from "./support/shop.ts";

/** What a raw query needs of a subgraph's Prisma client. */
interface RawSql {
  $queryRawUnsafe<T>(sql: string): Promise<T>;
}

/** Every row of every table of every subgraph's database, as JSON text, rows sorted, by `subgraph.table`. */
async function snapshotOf(shop: EmbeddedShop): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const subgraph of shop.subgraphs) {
    const sql = subgraph.prisma as RawSql;
    const tables = await sql.$queryRawUnsafe<{ name: string }[]>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    );
    for (const { name } of tables) {
      // As PostgreSQL's own JSON text: every column type (tsvector too), no client-side conversion.
      const rows = await sql.$queryRawUnsafe<{ row: string }[]>(`SELECT to_jsonb(t)::text AS row FROM "${name}" AS t`);
      snapshot[`${subgraph.name}.${name}`] = rows.map(({ row }) => row).sort();
    }
  }
  return snapshot;
}

/** The snapshot once two taken in a row agree: the saga's events have all been handled. */
async function settledSnapshotOf(shop: EmbeddedShop): Promise<Record<string, string[]>> {
  let previous = await snapshotOf(shop);
  const settled = await eventually(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const [before, now] = [previous, await snapshotOf(shop)];
      previous = now;
      return { before, now };
    },
    ({ before, now }) => isDeepStrictEqual(before, now),
    "the shop's databases stop changing",
  );
  return settled.now;
}

/** The tables whose content differs between two snapshots, with the rows only one of them has. */
function differences(before: Record<string, string[]>, after: Record<string, string[]>) {
  const tables = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return tables.flatMap((table) => {
    const [was, is] = [before[table] ?? [], after[table] ?? []];
    if (isDeepStrictEqual(was, is)) return [];
    return [{ table, gone: was.filter((row) => !is.includes(row)), added: is.filter((row) => !was.includes(row)) }];
  });
}

describe("the embedded shop restarted on the same data directory", { timeout: 300_000 }, () => {
  let dataDir: string;
  let shop: EmbeddedShop | undefined;
  let ports: { router: RouterSettings; subgraphPorts: Record<string, number> };
  const stop = async () => {
    await shop?.stop();
    shop = undefined;
  };
  const start = async () => {
    await stop();
    shop = await startEmbeddedShop({ dataDir, logger: silentLogger(), ...ports });
    return shop;
  };

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "storefront-restart-"));
    const names = ["users", "catalog", "inventory", "cart", "orders", "payments"];
    ports = {
      router: readRouterSettings({ NODE_ENV: "test", PORT: String(await freePort()) }),
      subgraphPorts: Object.fromEntries(await Promise.all(names.map(async (name) => [name, await freePort()] as const))),
    };
  });
  after(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("changes no row of a freshly seeded shop", async () => {
    const seeded = await settledSnapshotOf(await start());
    await stop();

    const restarted = await snapshotOf(await start());
    await stop();

    assert.ok(Object.keys(seeded).length >= 6, "every subgraph's tables were read");
    assert.deepEqual(differences(seeded, restarted), []);
  });

  it("changes no row after the demo customer checked out, refilled the cart and removed the demo address", async () => {
    const running = await start();
    const customer = demoUsers.find((u) => u.role === "CUSTOMER");
    const admin = demoUsers.find((u) => u.role === "ADMIN");
    const [first, , third] = demoProducts;
    assert.ok(customer && admin && first && third);
    const shopper = await signIn(running.routerUrl, customer.email, demoPasswords[customer.email] ?? "");
    const checkout = await shopper.checkout();
    assert.deepEqual(checkout.body.errors, undefined, "the seeded cart ships to the seeded address");
    const order = checkout.body.data?.checkout;
    assert.ok(order);
    await shopper.pay(order.id, cards.approves);
    await shopper.orderReaches(order.id, "PAID", 30_000);
    await eventually(
      () => shopper.cartCount(),
      (count) => count === 0,
      "the cart is emptied",
    );
    await shopper.addToCart(third.id, 1);
    for (const address of demoAddresses.filter((a) => a.userId === customer.id)) {
      await shopper.must("mutation($id: ID!) { removeAddress(id: $id) }", { id: address.id });
    }
    const operator = await signIn(running.routerUrl, admin.email, demoPasswords[admin.email] ?? "");
    await operator.must("mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }", {
      id: first.id,
      input: { name: `${first.name} (renamed)` },
    });
    await operator.must("mutation($input: SetStockLevelInput!) { setStockLevel(input: $input) { product { id } } }", {
      input: { productId: first.id, onHand: first.stock + 5, note: "restart test" },
    });
    const used = await settledSnapshotOf(running);
    await stop();

    const restarted = await start();
    const afterRestart = await snapshotOf(restarted);
    const again = await signIn(restarted.routerUrl, customer.email, demoPasswords[customer.email] ?? "");
    const cartCount = await again.cartCount();
    await stop();

    assert.deepEqual(differences(used, afterRestart), []);
    assert.equal(cartCount, 1, "the cart holds the one unit the customer put in, no demo items again");
  });
});
