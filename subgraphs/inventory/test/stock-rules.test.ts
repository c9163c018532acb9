import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GraphQLError } from "graphql";
import { lateReservationStep, reservationStatusOf, settlementStep } from "../src/domain/reservation-lifecycle.ts";
import { MAX_ON_HAND, movementEffect, noteOf, planAdjustment, planStockTake, validateAdjustment } from "../src/domain/stock.ts";

const code = (expected: string) => (error: unknown) => (error as GraphQLError).extensions?.code === expected;

describe("manual stock changes", () => {
  it("books received goods as RECEIVED and every other reason as a signed ADJUSTED change", () => {
    assert.deepEqual(planAdjustment({ onHand: 4, reserved: 1 }, { delta: 6, reason: "RECEIVED", note: null }), {
      kind: "RECEIVED",
      quantity: 6,
      reason: "received",
      note: null,
      onHandAfter: 10,
      reservedAfter: 1,
    });
    assert.deepEqual(planAdjustment({ onHand: 4, reserved: 1 }, { delta: -3, reason: "DAMAGED", note: "dropped" }), {
      kind: "ADJUSTED",
      quantity: -3,
      reason: "damaged",
      note: "dropped",
      onHandAfter: 1,
      reservedAfter: 1,
    });
  });

  it("allows removing units down to the reserved ones and no further", () => {
    assert.equal(planAdjustment({ onHand: 5, reserved: 2 }, { delta: -3, reason: "LOST", note: null }).onHandAfter, 2);
    assert.throws(() => planAdjustment({ onHand: 5, reserved: 2 }, { delta: -4, reason: "LOST", note: null }), code("CONFLICT"));
    assert.throws(() => planAdjustment({ onHand: 5, reserved: 0 }, { delta: -6, reason: "LOST", note: null }), code("CONFLICT"));
    assert.throws(
      () => planAdjustment({ onHand: MAX_ON_HAND, reserved: 0 }, { delta: 1, reason: "RECEIVED", note: null }),
      code("BAD_USER_INPUT"),
    );
  });

  it("moves stock only the way the reason allows, and wants a note for OTHER", () => {
    assert.doesNotThrow(() => validateAdjustment({ delta: 1, reason: "RETURNED", note: null }));
    assert.doesNotThrow(() => validateAdjustment({ delta: -1, reason: "COUNT_CORRECTION", note: null }));
    assert.doesNotThrow(() => validateAdjustment({ delta: -1, reason: "OTHER", note: "gift" }));
    for (const change of [
      { delta: 0, reason: "COUNT_CORRECTION", note: null },
      { delta: 1.5, reason: "RECEIVED", note: null },
      { delta: -1, reason: "RECEIVED", note: null },
      { delta: 1, reason: "LOST", note: null },
      { delta: 1, reason: "OTHER", note: null },
    ] as const) {
      assert.throws(() => validateAdjustment(change), code("BAD_USER_INPUT"), JSON.stringify(change));
    }
  });

  it("trims notes, drops empty ones and refuses long ones", () => {
    assert.equal(noteOf("  pallet 7 "), "pallet 7");
    assert.equal(noteOf("   "), null);
    assert.equal(noteOf(undefined), null);
    assert.throws(() => noteOf("x".repeat(501)), code("BAD_USER_INPUT"));
  });

  it("books a stock take as the difference, and nothing when the count matches", () => {
    assert.equal(planStockTake({ onHand: 7, reserved: 0 }, 7, null), null);
    assert.deepEqual(planStockTake({ onHand: 7, reserved: 2 }, 9, null)?.quantity, 2);
    assert.throws(() => planStockTake({ onHand: 7, reserved: 3 }, 2, null), code("CONFLICT"));
  });

  it("knows how each kind of movement changes on hand and reserved", () => {
    assert.deepEqual(
      (["RECEIVED", "ADJUSTED", "RESERVED", "RELEASED", "COMMITTED", "RESTOCKED"] as const).map((kind) => movementEffect(kind, 3)),
      [
        { onHand: 3, reserved: 0 },
        { onHand: 3, reserved: 0 },
        { onHand: 0, reserved: 3 },
        { onHand: 0, reserved: -3 },
        { onHand: -3, reserved: -3 },
        { onHand: 3, reserved: 0 },
      ],
    );
  });
});

describe("an order's reservation over its life", () => {
  const line = (status: "HELD" | "COMMITTED" | "RELEASED" | "REJECTED" | "RESTOCKED") => ({ status });
  const endings = ["commit", "release", "cancel"] as const;

  it("settles held lines, remembers an order never reserved, and leaves anything else alone", () => {
    for (const ending of endings) {
      assert.deepEqual(settlementStep([line("HELD"), line("HELD")], ending), { step: "settle", lines: [line("HELD"), line("HELD")] });
      for (const status of ["RELEASED", "REJECTED", "RESTOCKED"] as const) {
        assert.deepEqual(settlementStep([line(status)], ending), { step: "none" }, `${ending} of a ${status} reservation`);
      }
    }
    assert.deepEqual(settlementStep([], "commit"), { step: "remember", settlement: "PAID", replacesPaid: false });
    assert.deepEqual(settlementStep([], "release"), { step: "remember", settlement: "CANCELLED", replacesPaid: false });
  });

  it("restocks committed lines only when orders cancelled the order, never on a payment or a release", () => {
    assert.deepEqual(settlementStep([line("COMMITTED"), line("COMMITTED")], "cancel"), {
      step: "restock",
      lines: [line("COMMITTED"), line("COMMITTED")],
    });
    assert.deepEqual(settlementStep([line("COMMITTED")], "commit"), { step: "none" });
    assert.deepEqual(settlementStep([line("COMMITTED")], "release"), { step: "none" });
  });

  it("lets a cancellation of an order not reserved yet replace a remembered payment", () => {
    assert.deepEqual(settlementStep([], "cancel"), { step: "remember", settlement: "CANCELLED", replacesPaid: true });
  });

  it("reserves a late order normally, holds nothing for a cancelled one and commits a paid one at once", () => {
    assert.equal(lateReservationStep(null), "reserve");
    assert.equal(lateReservationStep("CANCELLED"), "reject_as_cancelled");
    assert.equal(lateReservationStep("PAID"), "reserve_then_commit");
  });

  it("has no status before anything was reserved", () => {
    assert.equal(reservationStatusOf([]), null);
    assert.equal(reservationStatusOf([line("RELEASED"), line("RELEASED")]), "RELEASED");
  });
});
