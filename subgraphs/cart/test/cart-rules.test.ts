import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { isUuid } from "@storefront/service";
import { cartIdOf } from "../src/domain/cart-id.ts";
import { type CatalogProduct, lineLimit, lineLimitError, subtotalOf } from "../src/domain/cart-rules.ts";
import { lineTotal, MAX_AMOUNT } from "../src/domain/money.ts";
import { unitsPerProduct } from "../src/domain/ordered-units.ts";

const aCatalogProduct = (amount: number, overrides: { currency?: string; active?: boolean } = {}): CatalogProduct => ({
  id: randomUUID(),
  active: overrides.active ?? true,
  price: { amount, currency: overrides.currency ?? "EUR" },
});

describe("cart rules", () => {
  it("derives one stable UUID per user as the cart's id", () => {
    const userId = randomUUID();
    assert.ok(isUuid(cartIdOf(userId)));
    assert.equal(cartIdOf(userId), cartIdOf(userId.toUpperCase()));
    assert.notEqual(cartIdOf(userId), cartIdOf(randomUUID()));
  });

  it("sums the purchasable lines only", () => {
    const subtotal = subtotalOf([
      { quantity: 2, product: aCatalogProduct(1_000) },
      { quantity: 1, product: aCatalogProduct(5_000, { active: false }) },
      { quantity: 3, product: null },
      { quantity: 3, product: aCatalogProduct(250) },
    ]);
    assert.deepEqual(subtotal, { amount: 2_750, currency: "EUR" });
  });

  it("has no subtotal for a cart with nothing purchasable, or with purchasable lines in two currencies", () => {
    assert.equal(subtotalOf([]), null);
    assert.equal(subtotalOf([{ quantity: 1, product: aCatalogProduct(100, { active: false }) }]), null);
    assert.equal(
      subtotalOf([
        { quantity: 1, product: aCatalogProduct(100, { currency: "EUR" }) },
        { quantity: 1, product: aCatalogProduct(100, { currency: "USD" }) },
      ]),
      null,
    );
  });

  it("gives no amount that GraphQL's Int could not carry", () => {
    assert.equal(lineTotal({ amount: MAX_AMOUNT, currency: "EUR" }, 1)?.amount, MAX_AMOUNT);
    assert.equal(lineTotal({ amount: 50_000_000, currency: "EUR" }, 99), null);
    assert.equal(
      subtotalOf([
        { quantity: 40, product: aCatalogProduct(50_000_000) },
        { quantity: 10, product: aCatalogProduct(50_000_000) },
      ]),
      null,
    );
  });

  it("caps a line at 99 units and at what is available", () => {
    assert.equal(lineLimit(500), 99);
    assert.equal(lineLimit(7), 7);
    assert.equal(lineLimit(-2), 0, "more reserved than on hand counts as none");
    assert.equal(lineLimitError({ wanted: 99, inCart: 90, available: 99 }), null);
    assert.equal(lineLimitError({ wanted: 100, inCart: 90, available: 500 })?.extensions.code, "BAD_USER_INPUT");
    const short = lineLimitError({ wanted: 6, inCart: 4, available: 5 });
    assert.equal(short?.extensions.code, "OUT_OF_STOCK");
    assert.deepEqual([short?.extensions.available, short?.extensions.inCart], [5, 4]);
    assert.equal(lineLimitError({ wanted: 1, inCart: 0, available: -3 })?.extensions.available, 0);
  });

  it("adds up the units of a product an order lists twice", () => {
    const [a, b] = [randomUUID(), randomUUID()];
    assert.deepEqual(
      unitsPerProduct([
        { productId: a, quantity: 1 },
        { productId: b, quantity: 2 },
        { productId: a, quantity: 3 },
      ]),
      [
        { productId: a, quantity: 4 },
        { productId: b, quantity: 2 },
      ],
    );
  });
});
