// The shop while Kafka is away, on real processes and a broker of this test's own that it stops and starts: every
// subgraph starts and serves without the broker, /ready stays 200 and reports Kafka as degraded, events wait in the
// outboxes, and once the broker is back the relays and the consumer groups carry on by themselves. The test prints how
// long the shop takes to be quiet again after the broker is back (every event written meanwhile published and handled,
// every outbox empty, every consumer group's lag 0): the median of several outages. It asserts no figure (the machine
// decides those); the README quotes them.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { demoUsers } from "@storefront/demo-data";
import {
  type PrivateBroker,
  privateBrokerUnavailable,
  type SupergraphProcesses,
  startPrivateBroker,
  startSupergraphProcesses,
} from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
import { type Admin, AssignerProtocol, Kafka, logLevel } from "kafkajs";
import { aStockedProduct, customersWithCart, type ShopSession, signIn, stockOf } from "./support/shop.ts";

// a broker of its own, stopped and started, in a run on Kafka only (an embedded run starts no broker)
const needsKafka = (process.env.KAFKA_BROKERS ? false : "needs a Kafka broker (KAFKA_BROKERS)") || privateBrokerUnavailable();

const SUBGRAPHS = ["users", "catalog", "inventory", "cart", "orders", "payments"] as const;
/** The subgraphs the issue names: each publishes or consumes events and must serve without the broker. */
const EVENT_SUBGRAPHS = ["orders", "inventory", "payments", "cart"] as const;
/** Outages measured under the running shop (KAFKA_OUTAGE_RUNS overrides). */
const OUTAGES = Number(process.env.KAFKA_OUTAGE_RUNS ?? 5);
/** Checkouts placed during each outage. */
const CHECKOUTS_PER_OUTAGE = 3;
/** How long the shop may take to be quiet again (a bound for the wait, not the figure measured). */
const QUIET_WITHIN_MS = 120_000;

interface ReadyAnswer {
  readonly status: number;
  readonly checks: Record<string, { ok: boolean; degraded?: boolean; detail?: string }>;
}

describe("the shop while Kafka is away", { skip: needsKafka, timeout: 1_200_000 }, () => {
  const namespace = `outage-${randomUUID().slice(0, 8)}`;
  let broker: PrivateBroker;
  let stack: SupergraphProcesses;
  let kafka: Kafka;
  let kafkaAdmin: Admin | undefined;
  let admin: ShopSession;

  before(async () => {
    broker = await startPrivateBroker();
    // the shop starts while the broker is down
    await broker.stop();
    stack = await startSupergraphProcesses({
      subgraphs: SUBGRAPHS,
      env: { KAFKA_BROKERS: broker.address, KAFKA_NAMESPACE: namespace },
    });
    kafka = new Kafka({ clientId: `${namespace}-test`, brokers: [broker.address], logLevel: logLevel.NOTHING });
  });

  after(async () => {
    await kafkaAdmin?.disconnect().catch(() => {});
    await stack?.stop();
    await broker?.destroy();
  });

  const baseUrl = (subgraph: string): string => new URL("/", stack.subgraphUrls[subgraph]).toString();

  async function ready(subgraph: string): Promise<ReadyAnswer> {
    const response = await fetch(new URL("/ready", baseUrl(subgraph)), { signal: AbortSignal.timeout(5_000) });
    const body = (await response.json()) as { checks?: ReadyAnswer["checks"] };
    return { status: response.status, checks: body.checks ?? {} };
  }

  /** Outbox rows not yet published, summed over every subgraph that relays one (outbox_pending_events, read from its database at scrape). */
  async function pendingInOutboxes(): Promise<number> {
    let pending = 0;
    for (const subgraph of SUBGRAPHS) {
      const text = await (await fetch(new URL("/metrics", baseUrl(subgraph)), { signal: AbortSignal.timeout(5_000) })).text();
      for (const [, value] of text.matchAll(/^outbox_pending_events\{[^}]*\} (\S+)$/gm)) pending += Number(value);
    }
    return pending;
  }

  async function adminClient(): Promise<Admin> {
    if (!kafkaAdmin) {
      const created = kafka.admin();
      await created.connect();
      kafkaAdmin = created;
    }
    return kafkaAdmin;
  }

  /**
   * Messages the shop's consumer groups have not handled, summed over every partition assigned to their members (a
   * committed offset is the next one to read; a partition without one is read from its beginning). Null while a group
   * of the shop has no members (not joined yet).
   */
  async function unhandledMessages(): Promise<{ count: number; where: string[] } | null> {
    const client = await adminClient();
    const { groups } = await client.listGroups();
    // the subgraphs' groups, named after them (other processes may read the topics too, e.g. the router's caches)
    const subgraphGroups = new Set<string>(SUBGRAPHS.map((subgraph) => `${namespace}.${subgraph}`));
    const shopGroups = groups.map((group) => group.groupId).filter((groupId) => subgraphGroups.has(groupId));
    if (shopGroups.length === 0) return null;
    const described = await client.describeGroups(shopGroups);
    let lag = 0;
    const where: string[] = [];
    for (const group of described.groups) {
      if (group.members.length === 0) return null;
      const assigned = new Map<string, Set<number>>();
      for (const member of group.members) {
        const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {};
        for (const [topic, partitions] of Object.entries(assignment)) {
          for (const partition of partitions) assigned.set(topic, (assigned.get(topic) ?? new Set()).add(partition));
        }
      }
      if (assigned.size === 0) return null;
      const topics = [...assigned.keys()];
      const [committed, ...ends] = await Promise.all([
        client.fetchOffsets({ groupId: group.groupId, topics }),
        ...topics.map((topic) => client.fetchTopicOffsets(topic)),
      ]);
      topics.forEach((topic, index) => {
        for (const { partition, high, low } of ends[index] ?? []) {
          if (!assigned.get(topic)?.has(partition)) continue;
          const next = Number(
            committed.find((entry) => entry.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset ?? -1,
          );
          const behind = Number(high) - (next >= 0 ? next : Number(low));
          if (behind > 0) where.push(`${group.groupId} ${topic}[${partition}] ${next}/${high}`);
          lag += behind;
        }
      });
    }
    return { count: lag, where };
  }

  /**
   * Polls until the shop is quiet: every subgraph ready with its Kafka check passing, every outbox empty, every consumer
   * group of the subgraphs joined with nothing left to handle, and `settled` (what the saga must have done) true, all
   * in one round of checks. Returns how long that took from `since` (at the end of that round), and when each of those
   * first held.
   */
  async function untilQuiet(since: number, settled: () => Promise<boolean>): Promise<{ ms: number; firstHeld: string }> {
    const deadline = since + QUIET_WITHIN_MS;
    const firstHeld = new Map<string, number>();
    let last = "";
    for (;;) {
      try {
        const [answers, pending, unhandled, sagaDone] = await Promise.all([
          Promise.all(SUBGRAPHS.map(ready)),
          pendingInOutboxes(),
          unhandledMessages(),
          settled(),
        ]);
        const held = {
          "Kafka checks pass": answers.every((answer) => answer.status === 200 && answer.checks.kafka?.ok !== false),
          "outboxes empty": pending === 0,
          "groups caught up": unhandled?.count === 0,
          "saga settled": sagaDone,
        };
        for (const [condition, holds] of Object.entries(held))
          if (holds && !firstHeld.has(condition)) firstHeld.set(condition, Date.now() - since);
        if (Object.values(held).every(Boolean)) {
          const ms = Date.now() - since;
          return { ms, firstHeld: [...firstHeld].map(([condition, at]) => `${condition} ${(at / 1_000).toFixed(2)} s`).join(", ") };
        }
        last = [
          held["Kafka checks pass"] ? "" : `/ready: ${JSON.stringify(answers.map((answer) => answer.checks.kafka))}`,
          held["outboxes empty"] ? "" : `${pending} event(s) in outboxes`,
          held["groups caught up"] ? "" : `groups: ${unhandled === null ? "not all joined" : unhandled.where.join(", ")}`,
          held["saga settled"] ? "" : "the saga has not settled",
        ]
          .filter(Boolean)
          .join("; ");
      } catch (error) {
        // the broker was just started: the admin client may need a moment
        last = error instanceof Error ? error.message : String(error);
        await kafkaAdmin?.disconnect().catch(() => {});
        kafkaAdmin = undefined;
      }
      if (Date.now() > deadline) {
        for (const subgraph of SUBGRAPHS) console.error(`--- ${subgraph}:\n${stack.output(subgraph).slice(-4_000)}`);
        assert.fail(`the shop was not quiet ${QUIET_WITHIN_MS} ms after the broker came back: ${last}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Checks out the customer's cart: the order is placed, and payments has not heard of it (order.placed waits in the outbox). */
  async function checkout(customer: ShopSession) {
    const { body } = await customer.checkout();
    assert.deepEqual(body.errors, undefined);
    const order = body.data?.checkout;
    assert.ok(order);
    assert.equal(order.status, "PENDING_PAYMENT");
    assert.equal(order.paymentStatus, null);
    return order;
  }

  /** True once payments has recorded the amount due of every order and every customer's cart is empty. */
  const sagaSettled = (customers: readonly ShopSession[], orderIds: readonly string[]) => async (): Promise<boolean> => {
    for (const [i, customer] of customers.entries()) {
      if ((await customer.order(orderIds[i] ?? "")).paymentStatus !== "AWAITING_PAYMENT") return false;
      if ((await customer.cartCount()) !== 0) return false;
    }
    return true;
  };

  it("started with the broker down: every subgraph is ready (200) and reports Kafka degraded, and serves checkouts", async () => {
    for (const subgraph of SUBGRAPHS) {
      const answer = await ready(subgraph);
      assert.equal(answer.status, 200, `${subgraph} is ready`);
      assert.deepEqual(answer.checks.database, { ok: true });
    }
    for (const subgraph of EVENT_SUBGRAPHS) {
      const { kafka: check } = (await ready(subgraph)).checks;
      assert.equal(check?.ok, false, `${subgraph} reports Kafka`);
      assert.equal(check?.degraded, true, `${subgraph}: degraded, not unready`);
      assert.match(check?.detail ?? "", /broker unreachable/);
    }
    // the consumers of order.placed never joined their groups
    for (const subgraph of ["inventory", "payments", "cart"]) {
      assert.match((await ready(subgraph)).checks.kafka?.detail ?? "", new RegExp(`consumer group ${subgraph}: joining`));
    }

    const demoAdmin = demoUsers.find((user) => user.role === "ADMIN");
    assert.ok(demoAdmin);
    admin = await signIn(stack.routerUrl, demoAdmin.email, demoPasswords[demoAdmin.email] ?? "");
    const product = await aStockedProduct(admin, 10);
    const customers = await customersWithCart(stack.routerUrl, product.id, 2, 2);
    const orders = await Promise.all(customers.map(checkout));
    assert.deepEqual(await stockOf(admin, product.id), { onHand: 10, reserved: 4, available: 6 }, "reserved at checkout, over HTTP");
    for (const customer of customers) assert.ok((await customer.cartCount()) > 0, "the cart empties on order.placed, which waits");
    const { kafka: ordersKafka } = (await ready("orders")).checks;
    assert.match(ordersKafka?.detail ?? "", /event\(s\) wait in the outbox/);

    // the topics do not exist yet: relays and consumers create them, and the new groups read from the beginning
    await broker.restart();
    const quiet = await untilQuiet(
      Date.now(),
      sagaSettled(
        customers,
        orders.map((order) => order.id),
      ),
    );
    console.log(
      `kafka outage: shop started without the broker; broker started → quiet in ${(quiet.ms / 1_000).toFixed(2)} s (${quiet.firstHeld})`,
    );
    for (const subgraph of SUBGRAPHS) assert.deepEqual((await ready(subgraph)).checks.kafka ?? { ok: true }, { ok: true });
    assert.deepEqual(await stockOf(admin, product.id), { onHand: 10, reserved: 4, available: 6 }, "order.placed reserved nothing twice");
  });

  it(`broker stopped and started ${OUTAGES} times under the running shop: the events of each outage arrive (median time to quiet printed)`, async () => {
    assert.ok(admin, "runs after the start-up test");
    const product = await aStockedProduct(admin, OUTAGES * CHECKOUTS_PER_OUTAGE);
    const figures: number[] = [];
    for (let outage = 1; outage <= OUTAGES; outage++) {
      const customers = await customersWithCart(stack.routerUrl, product.id, 1, CHECKOUTS_PER_OUTAGE);
      await broker.stop();
      const orders = await Promise.all(customers.map(checkout));
      await untilDegraded();

      await broker.restart();
      const quiet = await untilQuiet(
        Date.now(),
        sagaSettled(
          customers,
          orders.map((order) => order.id),
        ),
      );
      figures.push(quiet.ms);
      console.log(`kafka outage ${outage}/${OUTAGES}: broker back → quiet in ${(quiet.ms / 1_000).toFixed(2)} s (${quiet.firstHeld})`);
    }
    const seconds = figures.map((ms) => (ms / 1_000).toFixed(2));
    console.log(
      `kafka outage: broker back → quiet, median ${(median(figures) / 1_000).toFixed(2)} s of ${OUTAGES} outages (${seconds.join(", ")} s)`,
    );
    const placed = OUTAGES * CHECKOUTS_PER_OUTAGE;
    assert.deepEqual(await stockOf(admin, product.id), { onHand: placed, reserved: placed, available: 0 }, "every order reserved once");
  });

  /** Waits until the shop noticed the broker is gone: every event subgraph reports Kafka degraded, and still ready. */
  async function untilDegraded(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answers = await Promise.all(EVENT_SUBGRAPHS.map(ready));
      if (answers.every((answer) => answer.status === 200 && answer.checks.kafka?.degraded === true)) return;
      assert.ok(
        answers.every((answer) => answer.status === 200),
        "a subgraph stays ready while the broker is away",
      );
      if (Date.now() > deadline)
        assert.fail(`Kafka not reported degraded: ${JSON.stringify(answers.map((answer) => answer.checks.kafka))}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
