import { Kafka, logLevel } from "kafkajs";

/**
 * Deletes the topics and consumer groups a benchmark run created under its prefix, so runs against a shared
 * (development) broker leave nothing behind. The event bus has no delete on purpose; this talks to kafkajs directly.
 */
export async function deleteByPrefix(brokers: string[], prefix: string): Promise<{ topics: number; groups: number }> {
  const admin = new Kafka({ clientId: "storefront-bench-cleanup", brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    const groups = (await admin.listGroups()).groups.map((group) => group.groupId).filter((groupId) => groupId.startsWith(prefix));
    if (groups.length > 0) await admin.deleteGroups(groups);
    return { topics: topics.length, groups: groups.length };
  } finally {
    await admin.disconnect();
  }
}
