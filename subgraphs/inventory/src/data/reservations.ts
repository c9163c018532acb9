// Reserving, releasing, committing and restocking an order's stock: the one implementation behind both the order event
// handlers and the synchronous API the checkout calls. Each function runs in its caller's transaction.
import type { OutboxSignal } from "@storefront/runtime";
import { lateReservationStep, type OrderEnding, settlementStep } from "../domain/reservation-lifecycle.ts";
import { type OrderedUnits, planReservation, type RejectedLine, unitsPerProduct } from "../domain/reservation-plan.ts";
import { announceAvailability } from "../events/availability.ts";
import type { PrismaClient } from "./generated/client.ts";
import type { InventoryTransaction, ReservationRecord, StockReservationRecord } from "./records.ts";
import { type ChangedStockLevel, createReservationStore, type LockedStock, type ReservationStore } from "./reservation-store.ts";

/** Who asked: a user id (an admin, or the checkout), or null when inventory reacts to an order event. */
export type ActorId = string | null;

/** An order and the units it needs. */
export interface OrderToReserve {
  readonly orderId: string;
  readonly items: readonly OrderedUnits[];
}

/** What reserving an order did, and the order's reservation afterwards. */
export type ReserveOutcome =
  | {
      readonly outcome: "held" | "held_and_committed" | "already_reserved" | "rejected_as_cancelled";
      readonly reservation: StockReservationRecord;
    }
  | { readonly outcome: "rejected"; readonly reservation: StockReservationRecord; readonly lines: readonly RejectedLine[] };

/** What ending an order (paid, released or cancelled) did, and the order's reservation afterwards. */
export interface SettleOutcome {
  /**
   * settled: its held units were committed or released; restocked: its committed units went back on hand (a paid order
   * was cancelled); remembered: nothing was reserved yet; unchanged: nothing the ending undoes was left.
   */
  readonly outcome: "settled" | "restocked" | "remembered" | "unchanged";
  readonly reservation: StockReservationRecord;
}

const reservationOf = async (store: ReservationStore, orderId: string): Promise<StockReservationRecord> => ({
  orderId,
  lines: await store.reservationsOfOrder(orderId),
});

/** Each line with the balance a statement left on its product's row (it changed every row it was given, or this throws). */
function withBalances<Line extends { readonly productId: string }>(lines: readonly Line[], left: readonly LockedStock[], orderId: string) {
  const byProduct = new Map(left.map((row) => [row.productId, row]));
  return lines.map((line) => {
    const row = byProduct.get(line.productId);
    // Unreachable while the rows are locked; throwing rolls everything back (an event is retried, a request fails).
    if (!row) throw new Error(`order ${orderId}: the stock of product ${line.productId} changed while locked`);
    return { ...line, onHandAfter: row.onHand, reservedAfter: row.reserved };
  });
}

/**
 * Reserves an order's items, all or nothing, never beyond what is available. Idempotent per order id: when anything
 * was recorded for the order before, that is returned unchanged. A refused order is recorded as REJECTED reservations
 * with the reason per line (nothing is held). An order that already ended before it was reserved follows that ending:
 * cancelled → REJECTED (order_cancelled); paid → held and committed at once. Whatever changes a product's stock also
 * writes its inventory.availability_changed.v1 to the outbox, in the same transaction.
 *
 * `confirmsOrder`: the call comes from orders' order.placed, so the order exists and its hold is confirmed (never
 * released as orphaned). Any other call (the checkout, a retry of it with the same key, an admin) claims the hold
 * anew, and the orphan sweep waits ORPHAN_HOLD_SECONDS from then before asking orders about it.
 */
export async function reserveStockForOrder(
  tx: InventoryTransaction,
  order: OrderToReserve,
  actorId: ActorId,
  { confirmsOrder }: { confirmsOrder: boolean },
): Promise<ReserveOutcome> {
  const store = createReservationStore(tx);
  const { orderId } = order;
  await store.lockOrder(orderId);
  const earlier = await store.reservationsOfOrder(orderId);
  if (earlier.length > 0) {
    const { count } = await (confirmsOrder ? store.confirmOrder(orderId) : store.renewClaim(orderId));
    return { outcome: "already_reserved", reservation: count > 0 ? await reservationOf(store, orderId) : { orderId, lines: earlier } };
  }
  const confirmed = { confirmed: confirmsOrder };

  const lines = unitsPerProduct(order.items);
  const step = lateReservationStep(await store.settlementOf(orderId));
  if (step === "reject_as_cancelled") {
    await store.recordReservations(
      orderId,
      lines.map((line) => ({ ...line, status: "REJECTED", reason: "order_cancelled" })),
      confirmed,
    );
    return { outcome: "rejected_as_cancelled", reservation: await reservationOf(store, orderId) };
  }

  const stock = new Map((await store.lockStock(lines.map((line) => line.productId))).map((row) => [row.productId, row]));
  const plan = planReservation(lines, (productId) => stock.get(productId));
  if (plan.outcome === "reject") {
    await store.recordReservations(
      orderId,
      plan.lines.map(({ productId, quantity, reason }) => ({ productId, quantity, status: "REJECTED", reason })),
      confirmed,
    );
    return { outcome: "rejected", reservation: await reservationOf(store, orderId), lines: plan.lines };
  }

  const heldLevels = await store.holdUnits(plan.lines);
  const held = withBalances(plan.lines, heldLevels, orderId);
  await store.recordReservations(
    orderId,
    plan.lines.map((line) => ({ ...line, status: "HELD", reason: null })),
    confirmed,
  );
  await store.recordMovements(held.map((line) => ({ ...line, kind: "RESERVED", orderId, reason: null, actorId })));
  if (step === "reserve_then_commit") {
    const committedLevels = await settleHeldLines(store, orderId, "commit", { reason: "order_paid", actorId });
    await announceAvailability(tx, [...heldLevels, ...committedLevels]);
    return { outcome: "held_and_committed", reservation: await reservationOf(store, orderId) };
  }
  await announceAvailability(tx, heldLevels);
  return { outcome: "held", reservation: await reservationOf(store, orderId) };
}

/** Commits or releases an order's held lines (the stock rows are locked in product id order first); the levels it left. */
async function settleHeldLines(
  store: ReservationStore,
  orderId: string,
  ending: "commit" | "release",
  { reason, actorId }: { reason: string; actorId: ActorId },
  held?: readonly ReservationRecord[],
): Promise<ChangedStockLevel[]> {
  const lines = held ?? (await store.reservationsOfOrder(orderId)).filter((line) => line.status === "HELD");
  const units = lines.map(({ productId, quantity }) => ({ productId, quantity }));
  await store.lockStock(units.map((line) => line.productId));
  const left = ending === "commit" ? await store.commitUnits(units) : await store.releaseUnits(units);
  const moved = withBalances(units, left, orderId);
  await store.moveReservations(
    orderId,
    { from: "HELD", to: ending === "commit" ? "COMMITTED" : "RELEASED" },
    ending === "commit" ? null : reason,
  );
  await store.recordMovements(
    moved.map((line) => ({ ...line, kind: ending === "commit" ? "COMMITTED" : "RELEASED", orderId, reason, actorId })),
  );
  return left;
}

/**
 * Puts a cancelled order's committed lines back on hand (the stock rows are locked in product id order first): the units
 * were booked as gone when the order was paid, but it never shipped. The lines become RESTOCKED with `reason`, and a
 * RESTOCKED movement per line books the units' return. The levels it left.
 */
async function restockCommittedLines(
  store: ReservationStore,
  orderId: string,
  { reason, actorId }: { reason: string; actorId: ActorId },
  committed: readonly ReservationRecord[],
): Promise<ChangedStockLevel[]> {
  const units = committed.map(({ productId, quantity }) => ({ productId, quantity }));
  await store.lockStock(units.map((line) => line.productId));
  const left = await store.restockUnits(units);
  const moved = withBalances(units, left, orderId);
  await store.moveReservations(orderId, { from: "COMMITTED", to: "RESTOCKED" }, reason);
  await store.recordMovements(moved.map((line) => ({ ...line, kind: "RESTOCKED", orderId, reason, actorId })));
  return left;
}

async function endOrder(
  tx: InventoryTransaction,
  orderId: string,
  ending: OrderEnding,
  cause: { reason: string; actorId: ActorId },
): Promise<SettleOutcome> {
  const store = createReservationStore(tx);
  await store.lockOrder(orderId);
  const step = settlementStep(await store.reservationsOfOrder(orderId), ending);
  switch (step.step) {
    case "remember":
      await store.rememberSettlement(orderId, step.settlement, { replacesPaid: step.replacesPaid });
      return { outcome: "remembered", reservation: { orderId, lines: [] } };
    case "none":
      return { outcome: "unchanged", reservation: await reservationOf(store, orderId) };
    case "settle":
      await announceAvailability(tx, await settleHeldLines(store, orderId, ending === "commit" ? "commit" : "release", cause, step.lines));
      return { outcome: "settled", reservation: await reservationOf(store, orderId) };
    case "restock":
      await announceAvailability(tx, await restockCommittedLines(store, orderId, cause, step.lines));
      return { outcome: "restocked", reservation: await reservationOf(store, orderId) };
  }
}

/**
 * The order was paid: its held units leave stock for good (on_hand and reserved fall, COMMITTED). Idempotent: a
 * reservation that is not held stays as it is; an order not reserved yet is remembered as paid.
 */
export function commitStockOfOrder(tx: InventoryTransaction, orderId: string, actorId: ActorId): Promise<SettleOutcome> {
  return endOrder(tx, orderId, "commit", { reason: "order_paid", actorId });
}

/**
 * The order's hold is given up: its held units become available again (reserved falls, RELEASED with `reason`).
 * Idempotent: a reservation that is not held stays as it is, a committed one included (only orders' cancellation puts
 * those back: cancelStockOfOrder); an order not reserved yet is remembered as cancelled unless it was remembered as paid.
 */
export function releaseStockOfOrder(tx: InventoryTransaction, orderId: string, reason: string, actorId: ActorId): Promise<SettleOutcome> {
  return endOrder(tx, orderId, "release", { reason, actorId });
}

/**
 * Orders cancelled the order for good (order.cancelled; it never ships): whatever inventory still keeps from stock for it
 * comes back. Held units become available again (RELEASED, as releaseStockOfOrder); committed units of a paid order go
 * back on hand (on_hand rises, RESTOCKED with `reason`). Both with a ledger movement per line and an availability event
 * per product. Idempotent: a released, restocked or rejected reservation stays as it is. An order not reserved yet is
 * remembered as cancelled, replacing a remembered payment, so that a late reservation holds nothing.
 */
export function cancelStockOfOrder(tx: InventoryTransaction, orderId: string, reason: string, actorId: ActorId): Promise<SettleOutcome> {
  return endOrder(tx, orderId, "cancel", { reason, actorId });
}

/** The reason of a hold released because orders never stored its order (reservation lines and ledger movements). */
export const ORPHAN_REASON = "order_never_placed";

/**
 * Releases an order's hold as orphaned (RELEASED, reason order_never_placed, a RELEASED movement per line), when under
 * the order's lock it is still what the sweep decided on: HELD, unconfirmed, and last claimed before `claimedBefore`.
 * A hold confirmed meanwhile (order.placed arrived) or claimed anew (a retry of the checkout) is left as it is.
 */
export async function releaseOrphanedHold(tx: InventoryTransaction, orderId: string, claimedBefore: Date): Promise<SettleOutcome> {
  const store = createReservationStore(tx);
  await store.lockOrder(orderId);
  const lines = await store.reservationsOfOrder(orderId);
  const held = lines.filter((line) => line.status === "HELD");
  const orphaned = held.length > 0 && lines.every((line) => line.confirmedAt === null && line.claimedAt < claimedBefore);
  if (!orphaned) return { outcome: "unchanged", reservation: { orderId, lines } };
  await announceAvailability(tx, await settleHeldLines(store, orderId, "release", { reason: ORPHAN_REASON, actorId: null }, held));
  return { outcome: "settled", reservation: await reservationOf(store, orderId) };
}

// Many orders may queue for the same product's row lock: wait for a connection and for the locks longer than Prisma's default.
const transactionOptions = { maxWait: 10_000, timeout: 30_000 };

/** Whether an operation changed stock (and so wrote availability events to the outbox). */
const changedStock = (result: ReserveOutcome | SettleOutcome): boolean =>
  result.outcome === "held" || result.outcome === "held_and_committed" || result.outcome === "settled" || result.outcome === "restocked";

/**
 * The same operations, each in a transaction of its own: what the GraphQL API (and so the checkout) calls. After a
 * commit that wrote events, the outbox relay is woken so the catalog hears of the change without waiting for its poll.
 */
export function createReservations(prisma: PrismaClient, outbox: OutboxSignal) {
  const run = async <R extends ReserveOutcome | SettleOutcome>(operation: (tx: InventoryTransaction) => Promise<R>): Promise<R> => {
    const result = await prisma.$transaction(operation, transactionOptions);
    if (changedStock(result)) outbox.notify();
    return result;
  };
  return {
    reserve: (order: OrderToReserve, actorId: ActorId) => run((tx) => reserveStockForOrder(tx, order, actorId, { confirmsOrder: false })),
    release: (orderId: string, reason: string, actorId: ActorId) => run((tx) => releaseStockOfOrder(tx, orderId, reason, actorId)),
    commit: (orderId: string, actorId: ActorId) => run((tx) => commitStockOfOrder(tx, orderId, actorId)),
    releaseOrphaned: (orderId: string, claimedBefore: Date) => run((tx) => releaseOrphanedHold(tx, orderId, claimedBefore)),
    /** Orders with a hold nobody confirmed and last claimed before `claimedBefore`, the longest waiting first. */
    unconfirmedHolds: async (claimedBefore: Date, limit: number): Promise<string[]> => {
      const rows = await prisma.$queryRaw<{ orderId: string }[]>`
        SELECT order_id::text AS "orderId"
        FROM reservation
        WHERE status = 'HELD' AND confirmed_at IS NULL AND claimed_at < ${claimedBefore}
        GROUP BY order_id
        ORDER BY min(claimed_at), order_id
        LIMIT ${limit}`;
      return rows.map((row) => row.orderId);
    },
    /** Records that these orders exist (orders said so): their holds are never released as orphaned. */
    confirm: async (orderIds: readonly string[]): Promise<void> => {
      if (orderIds.length === 0) return;
      await prisma.reservation.updateMany({
        where: { orderId: { in: [...orderIds] }, confirmedAt: null },
        data: { confirmedAt: new Date() },
      });
    },
    reservationOf: async (orderId: string): Promise<StockReservationRecord> => ({
      orderId,
      lines: await prisma.reservation.findMany({ where: { orderId }, orderBy: { productId: "asc" } }),
    }),
  };
}

export type Reservations = ReturnType<typeof createReservations>;
