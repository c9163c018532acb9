// The orphan-hold sweep's decisions that need no orders subgraph: what it never asks about (confirmed holds, young or
// renewed ones), that a question orders cannot answer releases nothing, and the re-check under the order's lock. Its
// answers from a real orders subgraph, both ways, are in subgraphs/orders/test/orphan-holds.test.ts.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createEntitiesClient, InvalidEnvironmentError, silentLogger } from "@storefront/service";
import { startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { GraphQLError } from "graphql";
import { createOrdersClient } from "../src/clients/orders.ts";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { createReservations, ORPHAN_REASON } from "../src/data/reservations.ts";
import { inventorySettingsFromEnv } from "../src/env.ts";
import { inventorySubgraph } from "../src/index.ts";
import { createOrphanHoldSweep } from "../src/jobs/orphan-holds.ts";
import { anOrderPlaced, aStockLevel } from "./builders.ts";
import { eventDelivery } from "./delivery.ts";

const HOLD_MS = 60_000;
// nothing listens on port 9 of this machine: orders cannot be asked
const unreachableOrders = () => createOrdersClient(createEntitiesClient({ service: "orders", url: "http://127.0.0.1:9/graphql" }));
const later = (ms: number) => () => new Date(Date.now() + ms);

describe("inventory's orphan-hold sweep, whatever orders would answer", () => {
  let inventory: TestSubgraph<PrismaClient>;
  let delivery: ReturnType<typeof eventDelivery>;
  let reservations: ReturnType<typeof createReservations>;

  before(async () => {
    inventory = await startTestSubgraph(inventorySubgraph);
    delivery = eventDelivery(inventory.prisma);
    reservations = createReservations(inventory.prisma, { notify: () => {} });
  });
  after(async () => {
    await delivery.close();
    await inventory.close();
  });

  const sweep = (now: () => Date, orders = unreachableOrders()) =>
    createOrphanHoldSweep({ reservations, orders, logger: silentLogger(), holdMs: HOLD_MS, everyMs: 1_000, now });
  /** A hold made by the checkout's reservation call (not confirmed by anything yet). */
  const aCheckoutHold = async (quantity = 2) => {
    const level = await aStockLevel(inventory.prisma, { onHand: 10 });
    const orderId = randomUUID();
    const { reservation } = await reservations.reserve({ orderId, items: [{ productId: level.productId, quantity }] }, randomUUID());
    assert.equal(reservation.lines[0]?.status, "HELD");
    return { orderId, productId: level.productId };
  };
  const linesOf = (orderId: string) => inventory.prisma.reservation.findMany({ where: { orderId } });
  const stockOf = (productId: string) => inventory.prisma.stockLevel.findUniqueOrThrow({ where: { productId } });
  /** Whatever is unconfirmed and old enough for a sweep at `now` (other tests' holds included). */
  const candidatesAt = (now: Date) => reservations.unconfirmedHolds(new Date(now.getTime() - HOLD_MS), 10_000);

  it("records order.placed as the hold's confirmation, and never asks orders about a confirmed hold", async () => {
    const { orderId, productId } = await aCheckoutHold();

    await delivery.deliver(anOrderPlaced([{ productId, quantity: 2 }], { orderId }));

    const lines = await linesOf(orderId);
    assert.ok(lines.every((line) => line.status === "HELD" && line.confirmedAt instanceof Date));
    assert.ok(!(await candidatesAt(later(2 * HOLD_MS)())).includes(orderId));
  });

  it("confirms the hold it makes itself for an order.placed that arrives before any reservation", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 4 });
    const placed = anOrderPlaced([{ productId: level.productId, quantity: 1 }]);

    await delivery.deliver(placed);

    const [line] = await linesOf(placed.data.orderId);
    assert.equal(line?.status, "HELD");
    assert.ok(line?.confirmedAt instanceof Date);
  });

  it("leaves a hold alone until ORPHAN_HOLD_SECONDS after its last claim, and a retry of the checkout claims it anew", async () => {
    const { orderId, productId } = await aCheckoutHold();
    const [first] = await linesOf(orderId);
    assert.ok(first);
    assert.ok(!(await candidatesAt(new Date(first.claimedAt.getTime() + HOLD_MS - 1))).includes(orderId), "young: not a candidate");
    assert.ok((await candidatesAt(new Date(first.claimedAt.getTime() + HOLD_MS + 1))).includes(orderId), "old: a candidate");

    await new Promise((resolve) => setTimeout(resolve, 20));
    const retry = await reservations.reserve({ orderId, items: [{ productId, quantity: 2 }] }, randomUUID());

    assert.equal(retry.outcome, "already_reserved");
    const [renewed] = await linesOf(orderId);
    assert.ok(renewed && renewed.claimedAt > first.claimedAt, "the retry claimed the hold again");
    assert.ok(!(await candidatesAt(new Date(first.claimedAt.getTime() + HOLD_MS + 1))).includes(orderId));
    assert.equal((await stockOf(productId)).reserved, 2, "the retry held nothing more");
  });

  it("releases nothing, and keeps every hold, while orders cannot be asked", async () => {
    const { orderId, productId } = await aCheckoutHold(3);

    await assert.rejects(sweep(later(HOLD_MS + 1_000)).run(), (error: unknown) => {
      assert.ok(error instanceof GraphQLError);
      assert.equal(error.extensions.code, "SERVICE_UNAVAILABLE");
      assert.equal(error.extensions.service, "orders");
      return true;
    });

    assert.deepEqual(
      (await linesOf(orderId)).map((line) => [line.status, line.confirmedAt]),
      [["HELD", null]],
    );
    assert.equal((await stockOf(productId)).reserved, 3);
  });

  it("asks orders nothing when no hold is old enough", async () => {
    await aCheckoutHold();
    // every other hold of this file is younger than an hour; orders is unreachable, so a question would throw
    const report = await createOrphanHoldSweep({
      reservations,
      orders: unreachableOrders(),
      logger: silentLogger(),
      holdMs: 3_600_000,
      everyMs: 1_000,
    }).run();

    assert.deepEqual(report, { released: [], confirmed: [] });
  });

  it("releases under the order's lock only a hold still unconfirmed and unclaimed since the question, booking why", async () => {
    const confirmedMeanwhile = await aCheckoutHold();
    const claimedMeanwhile = await aCheckoutHold();
    const orphan = await aCheckoutHold(4);
    const question = new Date(Date.now() + 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // after the sweep asked orders: one order.placed arrives, one checkout is retried
    await delivery.deliver(
      anOrderPlaced([{ productId: confirmedMeanwhile.productId, quantity: 2 }], { orderId: confirmedMeanwhile.orderId }),
    );
    await reservations.reserve(
      { orderId: claimedMeanwhile.orderId, items: [{ productId: claimedMeanwhile.productId, quantity: 2 }] },
      randomUUID(),
    );

    const outcomes = await Promise.all(
      [confirmedMeanwhile, claimedMeanwhile, orphan].map(
        async ({ orderId }) => (await reservations.releaseOrphaned(orderId, question)).outcome,
      ),
    );

    assert.deepEqual(outcomes, ["unchanged", "unchanged", "settled"]);
    assert.equal((await stockOf(confirmedMeanwhile.productId)).reserved, 2);
    assert.equal((await stockOf(claimedMeanwhile.productId)).reserved, 2);
    assert.deepEqual(await stockOf(orphan.productId).then(({ onHand, reserved }) => ({ onHand, reserved })), { onHand: 10, reserved: 0 });
    assert.deepEqual(
      (await linesOf(orphan.orderId)).map((line) => [line.status, line.reason]),
      [["RELEASED", ORPHAN_REASON]],
    );
    const movements = await inventory.prisma.stockMovement.findMany({ where: { orderId: orphan.orderId }, orderBy: { createdAt: "asc" } });
    assert.deepEqual(
      movements.map((movement) => [movement.kind, movement.quantity, movement.reason, movement.actorId, movement.reservedAfter]),
      [
        ["RESERVED", 4, null, movements[0]?.actorId, 4],
        ["RELEASED", 4, ORPHAN_REASON, null, 0],
      ],
    );
    assert.equal((await reservations.releaseOrphaned(orphan.orderId, question)).outcome, "unchanged", "a second sweep changes nothing");
  });

  it("reads ORPHAN_HOLD_SECONDS and ORPHAN_HOLD_SWEEP_SECONDS with production defaults and refuses nonsense", () => {
    assert.deepEqual(inventorySettingsFromEnv({}), { ORPHAN_HOLD_SECONDS: 900, ORPHAN_HOLD_SWEEP_SECONDS: 60 });
    assert.deepEqual(inventorySettingsFromEnv({ ORPHAN_HOLD_SECONDS: "5", ORPHAN_HOLD_SWEEP_SECONDS: "1" }), {
      ORPHAN_HOLD_SECONDS: 5,
      ORPHAN_HOLD_SWEEP_SECONDS: 1,
    });
    assert.throws(() => inventorySettingsFromEnv({ ORPHAN_HOLD_SECONDS: "0" }), InvalidEnvironmentError);
    assert.throws(() => inventorySettingsFromEnv({ ORPHAN_HOLD_SWEEP_SECONDS: "soon" }), InvalidEnvironmentError);
  });
});
