import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { slugFromName } from "../src/domain/category-input.ts";
import { decodeListingCursor, encodeListingCursor, type ListingPosition, searchQueryFrom } from "../src/domain/product-listing.ts";

describe("catalog rules", () => {
  it("turns search text into a prefix query of letters and digits only", () => {
    assert.equal(searchQueryFrom("  Noise-cancelling HEADphones  "), "noise:* & cancelling:* & headphones:*");
    assert.equal(searchQueryFrom("café 100%"), "café:* & 100:*");
    assert.equal(searchQueryFrom("a:* & !b | (c)"), "a:* & b:* & c:*");
    assert.equal(searchQueryFrom("   "), null);
  });

  it("derives URL slugs from category names", () => {
    assert.equal(slugFromName("Home & Kitchen"), "home-kitchen");
    assert.equal(slugFromName("  Crème brûlée — Tools "), "creme-brulee-tools");
    assert.equal(slugFromName("日本"), "");
    assert.equal(slugFromName("x".repeat(80)).length, 64);
  });

  it("round-trips a listing position through its cursor, for every sort order", () => {
    const id = randomUUID();
    const positions: ListingPosition[] = [
      { sort: "NEWEST", createdAt: new Date("2026-11-23T12:00:00.123Z"), id },
      { sort: "PRICE_ASC", priceAmount: 0, id },
      { sort: "PRICE_DESC", priceAmount: 2_147_483_647, id },
      { sort: "NAME", name: 'Ünïcødé "quoted" name', id },
    ];
    for (const position of positions) assert.deepEqual(decodeListingCursor(encodeListingCursor(position), position.sort), position);
  });
});
