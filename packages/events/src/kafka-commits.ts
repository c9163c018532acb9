/** One partition's offset as kafkajs commits it: the next offset to read. */
export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** The shape of kafkajs' COMMIT_OFFSETS event payload (and of what it commits). */
export interface CommittedTopics {
  readonly topics: ReadonlyArray<{ readonly topic: string; readonly partitions: ReadonlyArray<{ partition: number; offset: unknown }> }>;
}

/**
 * The offsets one consumer has handled, and those its group has committed, so a commit that failed can be made again.
 *
 * kafkajs 2.2.4 commits after each batch and, when that commit fails (right after a broker restart, while the group
 * coordinator is still loading, say; kafkajs logs it only at debug level), keeps the offsets in memory and tries again
 * only with the next message of the group. When none comes the handled messages stay uncommitted: the
 * group's lag never reaches 0 (an alert that does not clear) and a restart hands every one of them to the handler again.
 * The bus therefore commits what was handled and is still uncommitted a moment later (see createKafkaBus' subscribe).
 *
 * After the member (re)joins its group, kafkajs starts again from the committed offsets and delivers the uncommitted
 * messages again, so `reset()` forgets everything: there is nothing left to commit for the member that was.
 */
export function createPendingCommits() {
  const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
  const handled = new Map<string, PartitionOffset & { readonly at: number }>();
  const committed = new Map<string, bigint>();

  return {
    /** The handler finished the message at `offset` (kafkajs' string): the next one to read is offset + 1. */
    handled(topic: string, partition: number, offset: string, at = Date.now()): void {
      handled.set(key(topic, partition), { topic, partition, offset: (BigInt(offset) + 1n).toString(), at });
    },
    /**
     * The group coordinator took these offsets (kafkajs' COMMIT_OFFSETS event, for its commits and ours). The last one
     * stands even when lower: commits travel on one connection to the coordinator, so the order they are answered in is
     * the order they were applied in, and a lower one that came last moved the group back.
     */
    committed({ topics }: CommittedTopics): void {
      for (const { topic, partitions } of topics) {
        for (const { partition, offset } of partitions) committed.set(key(topic, partition), BigInt(String(offset)));
      }
    },
    /** Handled offsets not committed although handled at least `settleMs` ago: kafkajs' own commit had its chance. */
    due(settleMs: number, now = Date.now()): PartitionOffset[] {
      const late: PartitionOffset[] = [];
      for (const [k, { topic, partition, offset, at }] of handled) {
        if (now - at >= settleMs && (committed.get(k) ?? -1n) < BigInt(offset)) late.push({ topic, partition, offset });
      }
      return late;
    },
    /** The member (re)joined: kafkajs delivers again whatever was not committed. */
    reset(): void {
      handled.clear();
      committed.clear();
    },
  };
}
