import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type EventData, parseEnvelope } from "@storefront/events";
import { errorCodes, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import type { PrismaClient } from "../src/data/generated/client.ts";
import { reserveStockForOrder } from "../src/data/reservations.ts";
import { inventorySubgraph } from "../src/index.ts";
import { anAdmin, anOrderCancelled, anOrderPaid, anOrderPlaced, aStockLevel, theCheckout } from "./builders.ts";
import { eventDelivery } from "./delivery.ts";

const ADJUST = `mutation($input: AdjustStockInput!) { adjustStock(input: $input) { movement { kind } } }`;
const SET_LEVEL = `mutation($input: SetStockLevelInput!) { setStockLevel(input: $input) { movement { kind } } }`;
const RESERVE = `mutation($input: ReserveStockInput!) { reserveStock(input: $input) { status } }`;
const RELEASE = `mutation($orderId: ID!) { releaseStock(orderId: $orderId, reason: "checkout_abandoned") { status } }`;
const COMMIT = `mutation($orderId: ID!) { commitStock(orderId: $orderId) { status } }`;

type Availability = EventData<"inventory.availability_changed.v1">;

describe("inventory announces every change of a product's stock (inventory.availability_changed.v1, through its outbox)", () => {
  let inventory: TestSubgraph<PrismaClient>;
  let delivery: ReturnType<typeof eventDelivery>;
  const admin = anAdmin();
  const checkout = theCheckout();

  before(async () => {
    inventory = await startTestSubgraph(inventorySubgraph);
    delivery = eventDelivery(inventory.prisma);
  });
  after(async () => {
    await delivery?.close();
    await inventory?.close();
  });

  /** The product's reports in the outbox, in the order the relay publishes them. */
  const reportsOf = async (productId: string): Promise<Availability[]> => {
    const rows = await inventory.prisma.outboxEvent.findMany({ where: { key: productId }, orderBy: { seq: "asc" } });
    return rows.map((row) => {
      assert.equal(row.topic, "storefront.inventory");
      const event = parseEnvelope(JSON.stringify(row.payload));
      assert.equal(event.type, "inventory.availability_changed.v1");
      assert.equal(event.subject, productId);
      return event.data as Availability;
    });
  };
  const outboxSize = () => inventory.prisma.outboxEvent.count();
  const stockOf = (productId: string) => inventory.prisma.stockLevel.findUniqueOrThrow({ where: { productId } });
  /** What a report says, without its time. */
  const summary = ({ productId, inStock, available, version }: Availability) => ({ productId, inStock, available, version });
  const versionsOf = (reports: readonly Availability[]) => reports.map((report) => report.version);
  const assertStrictlyIncreasing = (versions: readonly number[]) =>
    assert.deepEqual(
      versions.filter((version, i) => i > 0 && version <= (versions[i - 1] ?? -1)),
      [],
      `versions ${versions.join(", ")} grow`,
    );

  it("announces a manual adjustment with the new available count, the row's new version and when it changed", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 3, reserved: 1 });
    const notifiedBefore = inventory.outboxNotifications.count;

    await inventory.query(ADJUST, { input: { productId: level.productId, delta: -2, reason: "DAMAGED" } }, admin);

    const reports = await reportsOf(level.productId);
    assert.deepEqual(reports.map(summary), [{ productId: level.productId, inStock: false, available: 0, version: 1 }]);
    const stock = await stockOf(level.productId);
    assert.equal(stock.version, 1);
    assert.equal(reports[0]?.changedAt, stock.updatedAt.toISOString());
    assert.equal(inventory.outboxNotifications.count, notifiedBefore + 1, "the relay is woken after the commit");

    await inventory.query(SET_LEVEL, { input: { productId: level.productId, onHand: 7 } }, admin);
    assert.deepEqual((await reportsOf(level.productId)).map(summary).at(-1), {
      productId: level.productId,
      inStock: true,
      available: 6,
      version: 2,
    });
  });

  it("announces nothing for a refused change or a stock take that finds the books right", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 5, reserved: 4 });
    const notifiedBefore = inventory.outboxNotifications.count;

    const refused = await inventory.execute(ADJUST, { input: { productId: level.productId, delta: -2, reason: "LOST" } }, admin);
    assert.deepEqual(errorCodes(refused), ["CONFLICT"]);
    await inventory.query(SET_LEVEL, { input: { productId: level.productId, onHand: 5 } }, admin);

    assert.deepEqual(await reportsOf(level.productId), []);
    assert.equal((await stockOf(level.productId)).version, 0);
    assert.equal(inventory.outboxNotifications.count, notifiedBefore);
  });

  it("announces each product of a reservation once, and nothing when the reservation is asked for again or refused", async () => {
    const roomy = await aStockLevel(inventory.prisma, { onHand: 5 });
    const lastUnit = await aStockLevel(inventory.prisma, { onHand: 1 });
    const orderId = randomUUID();
    const placed = anOrderPlaced(
      [
        { productId: roomy.productId, quantity: 2 },
        { productId: lastUnit.productId, quantity: 1 },
      ],
      { orderId },
    );

    await delivery.deliver(placed);
    assert.deepEqual((await reportsOf(roomy.productId)).map(summary), [
      { productId: roomy.productId, inStock: true, available: 3, version: 1 },
    ]);
    assert.deepEqual((await reportsOf(lastUnit.productId)).map(summary), [
      { productId: lastUnit.productId, inStock: false, available: 0, version: 1 },
    ]);

    const before = await outboxSize();
    await delivery.deliver(placed); // the same event again
    await delivery.deliver(anOrderPlaced([{ productId: roomy.productId, quantity: 1 }], { orderId })); // another event, same order
    await inventory.query(RESERVE, { input: { orderId, items: [{ productId: roomy.productId, quantity: 2 }] } }, checkout);
    const refused = await inventory.query<{ reserveStock: { status: string } }>(
      RESERVE,
      { input: { orderId: randomUUID(), items: [{ productId: lastUnit.productId, quantity: 1 }] } },
      checkout,
    );
    assert.equal(refused.reserveStock.status, "REJECTED");
    assert.equal(await outboxSize(), before, "no report without a change");
    assert.deepEqual(delivery.deadLetters, []);
  });

  it("announces commits and releases, over events and the API, with versions that only grow", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 10 });
    const item = (quantity: number) => [{ productId: level.productId, quantity }];
    const paidOrder = randomUUID();
    const cancelledOrder = randomUUID();
    const apiOrder = randomUUID();

    await delivery.deliver(anOrderPlaced(item(3), { orderId: paidOrder }));
    await delivery.deliver(anOrderPlaced(item(2), { orderId: cancelledOrder }));
    await delivery.deliver(anOrderPaid(paidOrder));
    await delivery.deliver(anOrderCancelled(cancelledOrder));
    await delivery.deliver(anOrderCancelled(cancelledOrder)); // changes nothing more
    await inventory.query(RESERVE, { input: { orderId: apiOrder, items: item(7) } }, checkout);
    const notifiedBefore = inventory.outboxNotifications.count;
    await inventory.query(COMMIT, { orderId: apiOrder }, checkout);
    await inventory.query(RELEASE, { orderId: apiOrder }, checkout); // already committed: nothing to release
    assert.equal(inventory.outboxNotifications.count, notifiedBefore + 1);

    const reports = await reportsOf(level.productId);
    assert.deepEqual(
      reports.map(({ inStock, available }) => [inStock, available]),
      [
        [true, 7], // held 3
        [true, 5], // held 2
        [true, 5], // 3 committed: on hand 7, reserved 2
        [true, 7], // 2 released
        [false, 0], // held 7
        [false, 0], // 7 committed: on hand 0
      ],
    );
    assertStrictlyIncreasing(versionsOf(reports));
    assert.equal(reports.at(-1)?.version, (await stockOf(level.productId)).version);
  });

  it("announces an order paid before it was reserved once, with the state after both its hold and its commit", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 4 });
    const orderId = randomUUID();
    await delivery.deliver(anOrderPaid(orderId));

    await delivery.deliver(anOrderPlaced([{ productId: level.productId, quantity: 4 }], { orderId }));

    assert.deepEqual((await reportsOf(level.productId)).map(summary), [
      { productId: level.productId, inStock: false, available: 0, version: 2 },
    ]);
    assert.deepEqual(await stockOf(level.productId).then(({ onHand, reserved, version }) => ({ onHand, reserved, version })), {
      onHand: 0,
      reserved: 0,
      version: 2,
    });
  });

  it("writes no report when the transaction that changed the stock rolls back", async () => {
    const level = await aStockLevel(inventory.prisma, { onHand: 2 });

    await assert.rejects(
      inventory.prisma.$transaction(async (tx) => {
        const reserved = await reserveStockForOrder(
          tx,
          { orderId: randomUUID(), items: [{ productId: level.productId, quantity: 2 }] },
          null,
          { confirmsOrder: false },
        );
        assert.equal(reserved.outcome, "held");
        assert.equal(await tx.outboxEvent.count({ where: { key: level.productId } }), 1, "written inside the transaction");
        throw new Error("the caller fails after reserving");
      }),
      /the caller fails after reserving/,
    );

    assert.deepEqual(await reportsOf(level.productId), []);
    assert.deepEqual(await stockOf(level.productId).then(({ reserved, version }) => ({ reserved, version })), { reserved: 0, version: 0 });
  });
});
