import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planReservation, unitsPerProduct } from "../src/domain/reservation-plan.ts";
import { availableUnits } from "../src/domain/stock.ts";

const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";

describe("reservation plan", () => {
  it("sums the lines of one product and sorts lines by product id", () => {
    assert.deepEqual(
      unitsPerProduct([
        { productId: B, quantity: 1 },
        { productId: A, quantity: 2 },
        { productId: B, quantity: 3 },
      ]),
      [
        { productId: A, quantity: 2 },
        { productId: B, quantity: 4 },
      ],
    );
  });

  it("holds every line when each fits into what is available, up to the last unit", () => {
    const stock = new Map([
      [A, { onHand: 5, reserved: 3 }],
      [B, { onHand: 1, reserved: 0 }],
    ]);
    const lines = [
      { productId: A, quantity: 2 },
      { productId: B, quantity: 1 },
    ];
    assert.deepEqual(
      planReservation(lines, (id) => stock.get(id)),
      { outcome: "hold", lines },
    );
  });

  it("rejects the whole order when one line does not fit, naming the short line and the bystanders", () => {
    const stock = new Map([[A, { onHand: 5, reserved: 0 }]]);
    const plan = planReservation(
      [
        { productId: A, quantity: 2 },
        { productId: B, quantity: 1 },
      ],
      (id) => stock.get(id),
    );
    assert.deepEqual(plan, {
      outcome: "reject",
      lines: [
        { productId: A, quantity: 2, available: 5, reason: "other_item_unavailable" },
        { productId: B, quantity: 1, available: 0, reason: "insufficient_stock" },
      ],
    });
  });

  it("never counts more reserved than on hand as negative availability", () => {
    assert.equal(availableUnits({ onHand: 2, reserved: 5 }), 0);
    assert.equal(availableUnits({ onHand: 7, reserved: 5 }), 2);
  });
});
