import type { EventBus, OutboxRelay, SubscriptionStatus } from "@storefront/events";
import type { ReadinessCheck } from "@storefront/service";

export interface KafkaReadinessOptions {
  readonly bus: EventBus;
  /** The subgraph's outbox relay, when it publishes events. */
  readonly relay?: OutboxRelay;
  /** The subgraph's consumer group, when it consumes events. */
  readonly consumer?: { readonly groupId: string; status(): SubscriptionStatus };
}

/**
 * The `kafka` check of a subgraph's /ready: the broker answers, the consumer group is joined and reading, the relay's
 * batches reach the broker. A failure is `degraded`, never unready: the subgraph serves without Kafka (events wait in
 * the outbox, consumers join when the broker is back), so a load balancer must keep sending it traffic.
 */
export function kafkaReadiness({ bus, relay, consumer }: KafkaReadinessOptions): () => Promise<ReadinessCheck> {
  return async () => {
    const broker = await bus.health();
    const problems: string[] = [];
    if (!broker.ok) problems.push(broker.detail ?? "broker unreachable");
    const group = consumer?.status();
    if (group && group.state !== "consuming") {
      const why = group.lastError === undefined ? "" : ` (${group.lastError})`;
      problems.push(`consumer group ${consumer?.groupId}: ${group.state} since ${group.since.toISOString()}${why}`);
    }
    const publishing = relay?.status();
    if (publishing && !publishing.publishing) {
      problems.push(
        `outbox relay: ${publishing.attempts} failed ${publishing.attempts === 1 ? "try" : "tries"} since ${publishing.failingSince.toISOString()} (${publishing.lastError})`,
      );
    }
    if (problems.length === 0) return { ok: true };
    // the outbox is counted only to explain a problem: a healthy probe costs no query
    const outbox = await relay?.stats().catch(() => undefined);
    if (outbox && outbox.pending > 0) problems.push(`${outbox.pending} event(s) wait in the outbox`);
    return { ok: false, degraded: true, detail: problems.join("; ") };
  };
}
