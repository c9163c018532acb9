import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { Viewer } from "@storefront/auth";
import type { CatalogPrisma } from "@storefront/catalog";
import { createEvent, type EventOf } from "@storefront/events";
import type { InventoryPrisma } from "@storefront/inventory";
import { freePort } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { cartIdOf } from "../src/domain/cart-id.ts";

/** A signed-in customer (a new user unless given). */
export const aCustomer = (userId: string = randomUUID()): Viewer => ({ userId, role: "CUSTOMER", scopes: [] });

/** A signed-in admin. */
export const anAdmin = (): Viewer => ({ userId: randomUUID(), role: "ADMIN", scopes: ["admin"] });

/** A product in the catalog (active, 25.00 EUR unless told otherwise). */
export function aProduct(catalog: CatalogPrisma, overrides: { priceAmount?: number; currency?: string; active?: boolean } = {}) {
  return catalog.product.create({
    data: {
      sku: `SKU-${randomUUID().slice(0, 8)}`,
      name: "Kettle",
      priceAmount: overrides.priceAmount ?? 2_500,
      priceCurrency: overrides.currency ?? "EUR",
      active: overrides.active ?? true,
    },
  });
}

/** Puts units of a product in the warehouse (none reserved unless told). */
export function stock(inventory: InventoryPrisma, productId: string, onHand: number, reserved = 0) {
  return inventory.stockLevel.create({ data: { productId, onHand, reserved } });
}

/** A stored cart with the given lines, added in the order given; writes the database directly. */
export async function aCartOf(cart: PrismaClient, userId: string, lines: readonly { productId: string; quantity: number }[]) {
  const stored = await cart.cart.create({ data: { id: cartIdOf(userId), userId } });
  await cart.cartItem.createMany({
    data: lines.map((line, i) => ({ cartId: stored.id, ...line, addedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) })),
  });
  return stored;
}

/** A user's cart exactly as stored (null when it is not), to show that a refused change changed nothing. */
export async function storedCart(cart: PrismaClient, userId: string) {
  return cart.cart.findUnique({
    where: { userId },
    select: {
      id: true,
      updatedAt: true,
      items: { select: { productId: true, quantity: true, addedAt: true }, orderBy: { productId: "asc" } },
    },
  });
}

/** An `order.placed.v1` event of a customer for the given lines (a new order unless given); prices do not matter to the cart. */
export function anOrderPlaced(
  userId: string,
  items: readonly { productId: string; quantity: number }[],
  overrides: { orderId?: string } = {},
): EventOf<"order.placed.v1"> {
  const unitPrice = { amount: 1_000, currency: "EUR" };
  return createEvent({
    type: "order.placed.v1",
    source: "/storefront/test",
    data: {
      orderId: overrides.orderId ?? randomUUID(),
      userId,
      items: items.map((item) => ({ ...item, unitPrice })),
      total: { amount: items.reduce((sum, item) => sum + item.quantity * unitPrice.amount, 0), currency: "EUR" },
      placedAt: new Date().toISOString(),
    },
  });
}

/** A GraphQL URL on a local port nothing listens on: a subgraph that is down. */
export async function anUnreachableUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}/graphql`;
}

/** A pass-through HTTP proxy in front of a subgraph that counts the requests the cart sends it. */
export async function aCountingProxy(targetUrl: string) {
  let requests = 0;
  const server = createServer(async (req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = await fetch(targetUrl, {
      method: req.method,
      headers: { "content-type": req.headers["content-type"] ?? "application/json" },
      body: Buffer.concat(chunks),
    });
    res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the proxy has no port");
  return {
    url: `http://127.0.0.1:${address.port}/graphql`,
    get requests() {
      return requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
