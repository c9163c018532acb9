import type { PartitionLag } from "@storefront/telemetry";
import { type BackoffOptions, backoffDelay, sleep } from "./backoff.ts";
import type { BusHealth, EventBus, IncomingMessage, OutgoingMessage, SubscribeOptions, Subscription } from "./bus.ts";
import { deadLetterTopic, isDeadLetterTopic } from "./catalog.ts";
import { type EventLogger, errorFields, errorsOnlyLogger } from "./logger.ts";

export interface InProcessBusOptions {
  /** Partitions per topic; keys hash onto them like Kafka's. Default 4. */
  partitions?: number;
  /** Messages kept per partition (a group lagging further behind skips the oldest, like Kafka retention). Default 10 000. */
  retainPerPartition?: number;
  /** Pause before delivering a message again after its handler rejected. */
  redeliveryBackoff?: BackoffOptions;
  logger?: EventLogger;
}

interface StoredMessage {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** Wakes whoever waits on it. */
interface Signal {
  listeners: Set<() => void>;
}

interface Partition {
  messages: StoredMessage[];
  /** Offset of messages[0]. */
  firstOffset: number;
  changed: Signal;
}

interface Member {
  topics: Set<string>;
  handle: (message: IncomingMessage) => Promise<void>;
  closed: boolean;
  inFlight: Set<Promise<void>>;
}

interface Group {
  members: Member[];
  /** `${topic}\u0000${partition}` → next offset to deliver. */
  committed: Map<string, number>;
  /** Loops running, one per topic-partition. */
  loops: Map<string, Promise<void>>;
  changed: Signal;
}

/**
 * The bus inside one Node process (the embedded default, no broker): topics with partitions, per-key order,
 * consumer groups that each see every message once, redelivery of a message whose handler rejected.
 * Nothing survives the process, which is fine: the outbox in each database is the durable part.
 */
export function createInProcessBus({
  partitions = 4,
  retainPerPartition = 10_000,
  redeliveryBackoff = { initialMs: 50, maxMs: 2_000 },
  logger = errorsOnlyLogger(),
}: InProcessBusOptions = {}): EventBus {
  const topics = new Map<string, Partition[]>();
  const groups = new Map<string, Group>();
  const stopping = new AbortController();
  let roundRobin = 0;

  const topicPartitions = (topic: string): Partition[] => {
    let found = topics.get(topic);
    if (!found) {
      found = Array.from({ length: partitions }, () => ({ messages: [], firstOffset: 0, changed: createSignal() }));
      topics.set(topic, found);
    }
    return found;
  };

  const partitionOf = (key: string | null): number => (key === null ? roundRobin++ % partitions : hash(key) % partitions);

  const endOffset = (partition: Partition): number => partition.firstOffset + partition.messages.length;

  const runLoop = async (group: Group, topic: string, index: number): Promise<void> => {
    const partition = topicPartitions(topic)[index] as Partition;
    const position = `${topic}\u0000${index}`;
    let failures = 0;
    while (!stopping.signal.aborted) {
      const members = group.members.filter((member) => !member.closed && member.topics.has(topic));
      // partitions are spread over the group's members; with none left the loop ends until someone subscribes again
      const member = members[index % Math.max(1, members.length)];
      if (!member) return;
      const offset = Math.max(group.committed.get(position) ?? 0, partition.firstOffset);
      const stored = partition.messages[offset - partition.firstOffset];
      if (!stored) {
        await waitAny([partition.changed, group.changed], stopping.signal);
        continue;
      }
      const message: IncomingMessage = {
        topic,
        key: stored.key,
        value: stored.value,
        headers: { ...stored.headers },
        partition: index,
        offset: String(offset),
      };
      const delivery = member.handle(message);
      member.inFlight.add(delivery);
      try {
        await delivery;
        group.committed.set(position, offset + 1);
        failures = 0;
      } catch (error) {
        failures += 1;
        logger.warn(
          { ...errorFields(error), topic, partition: index, offset, attempt: failures },
          "event bus: handler rejected, delivering again",
        );
        await sleep(backoffDelay(failures, redeliveryBackoff), stopping.signal);
      } finally {
        member.inFlight.delete(delivery);
      }
    }
  };

  const ensureLoops = (group: Group, topic: string): void => {
    for (let index = 0; index < partitions; index++) {
      const position = `${topic}\u0000${index}`;
      if (group.loops.has(position)) continue;
      const loop = runLoop(group, topic, index).finally(() => {
        group.loops.delete(position);
        // someone may have subscribed while this loop was finishing
        if (!stopping.signal.aborted && group.members.some((member) => !member.closed && member.topics.has(topic)))
          ensureLoops(group, topic);
      });
      group.loops.set(position, loop);
    }
  };

  const publish = async (messages: OutgoingMessage[]): Promise<void> => {
    if (stopping.signal.aborted) throw new Error("event bus: closed");
    const touched = new Set<Partition>();
    for (const { topic, key, value, headers } of messages) {
      if (!topic) throw new Error("event bus: message without topic");
      const partition = topicPartitions(topic)[partitionOf(key)] as Partition;
      partition.messages.push({ key, value, headers: { ...headers } });
      if (partition.messages.length > retainPerPartition) {
        const dropped = partition.messages.length - retainPerPartition;
        partition.messages.splice(0, dropped);
        partition.firstOffset += dropped;
      }
      touched.add(partition);
    }
    for (const partition of touched) fire(partition.changed);
  };

  const subscribe = async ({ groupId, topics: subscribed, handle, fromBeginning = true }: SubscribeOptions): Promise<Subscription> => {
    if (stopping.signal.aborted) throw new Error("event bus: closed");
    let group = groups.get(groupId);
    if (!group) {
      group = { members: [], committed: new Map(), loops: new Map(), changed: createSignal() };
      groups.set(groupId, group);
    }
    for (const topic of subscribed) {
      topicPartitions(topic).forEach((partition, index) => {
        const position = `${topic}\u0000${index}`;
        // a group's first subscription starts at the beginning or the end; later ones resume where the group left off
        if (!group.committed.has(position)) group.committed.set(position, fromBeginning ? partition.firstOffset : endOffset(partition));
      });
    }
    const member: Member = { topics: new Set(subscribed), handle, closed: false, inFlight: new Set() };
    group.members.push(member);
    fire(group.changed);
    for (const topic of subscribed) ensureLoops(group, topic);
    const joined = group;
    let since = new Date();
    return {
      close: async () => {
        if (member.closed) return;
        member.closed = true;
        since = new Date();
        joined.members = joined.members.filter((other) => other !== member);
        fire(joined.changed);
        await Promise.allSettled([...member.inFlight]);
      },
      status: () => ({ state: member.closed ? "closed" : "consuming", since }),
    };
  };

  // the in-process queue depth: what each partition holds past the group's committed offset (in flight included)
  const consumerLag = async (groupId: string, wanted: string[]): Promise<PartitionLag[]> => {
    const group = groups.get(groupId);
    return wanted.flatMap((topic) =>
      (topics.get(topic) ?? []).map((partition, index) => {
        const committed = Math.max(group?.committed.get(`${topic}\u0000${index}`) ?? partition.firstOffset, partition.firstOffset);
        return { topic, partition: index, lag: endOffset(partition) - committed };
      }),
    );
  };

  const ensureTopics = async (wanted: string[]): Promise<void> => {
    for (const topic of wanted) {
      topicPartitions(topic);
      if (!isDeadLetterTopic(topic)) topicPartitions(deadLetterTopic(topic));
    }
  };

  const close = async (): Promise<void> => {
    stopping.abort();
    for (const group of groups.values()) {
      for (const member of group.members) member.closed = true;
      fire(group.changed);
    }
    await Promise.allSettled([...groups.values()].flatMap((group) => [...group.loops.values()]));
  };

  // nothing to reach: the bus is this process
  const health = async (): Promise<BusHealth> => ({ ok: true });
  const onReconnect = (): (() => void) => () => {};

  return { transport: "in-process", publish, subscribe, ensureTopics, consumerLag, health, onReconnect, close };
}

function createSignal(): Signal {
  return { listeners: new Set() };
}

function fire(signal: Signal): void {
  const listeners = [...signal.listeners];
  signal.listeners.clear();
  for (const listener of listeners) listener();
}

/** Resolves when any signal fires or `abort` aborts; unregisters from the rest so waiting leaves nothing behind. */
function waitAny(signals: Signal[], abort: AbortSignal): Promise<void> {
  if (abort.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      for (const signal of signals) signal.listeners.delete(done);
      abort.removeEventListener("abort", done);
      resolve();
    };
    for (const signal of signals) signal.listeners.add(done);
    abort.addEventListener("abort", done, { once: true });
  });
}

/** FNV-1a, 32 bit: stable, so one key always lands on one partition. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
