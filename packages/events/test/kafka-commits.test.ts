import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createPendingCommits } from "../src/kafka-commits.ts";

// The bookkeeping behind the Kafka bus' second try at a failed commit (the bus itself runs on a real broker in
// kafka.test.ts and test/e2e/kafka-outage.test.ts, where a broker restart makes kafkajs' own commits fail).
describe("a consumer's handled and committed offsets", () => {
  const settleMs = 1_000;

  test("a handled message whose commit never came is due once kafkajs had its chance, as offset + 1", () => {
    const pending = createPendingCommits();
    pending.handled("orders", 2, "41", 10_000);
    assert.deepEqual(pending.due(settleMs, 10_500), [], "kafkajs commits right after the batch: not yet");
    assert.deepEqual(pending.due(settleMs, 11_000), [{ topic: "orders", partition: 2, offset: "42" }]);
  });

  test("nothing is due once the coordinator took that offset or a later one", () => {
    const pending = createPendingCommits();
    pending.handled("orders", 0, "7", 0);
    pending.handled("orders", 1, "3", 0);
    pending.committed({ topics: [{ topic: "orders", partitions: [{ partition: 0, offset: "8" }] }] });
    assert.deepEqual(pending.due(settleMs, 5_000), [{ topic: "orders", partition: 1, offset: "4" }]);
    pending.committed({ topics: [{ topic: "orders", partitions: [{ partition: 1, offset: "9" }] }] });
    assert.deepEqual(pending.due(settleMs, 5_000), []);
  });

  test("a lower commit answered last moved the group back: the handled offset is due again", () => {
    const pending = createPendingCommits();
    pending.handled("orders", 0, "9", 0);
    pending.committed({ topics: [{ topic: "orders", partitions: [{ partition: 0, offset: "10" }] }] });
    pending.committed({ topics: [{ topic: "orders", partitions: [{ partition: 0, offset: "6" }] }] });
    assert.deepEqual(pending.due(settleMs, 5_000), [{ topic: "orders", partition: 0, offset: "10" }]);
  });

  test("kafkajs' offsets (Long objects) count as their decimal value", () => {
    const pending = createPendingCommits();
    pending.handled("inventory", 0, "9007199254740993", 0);
    const long = { toString: () => "9007199254740994" };
    pending.committed({ topics: [{ topic: "inventory", partitions: [{ partition: 0, offset: long }] }] });
    assert.deepEqual(pending.due(settleMs, 5_000), []);
  });

  test("a message handled again restarts its wait; a (re)join forgets everything, as kafkajs redelivers from the committed offset", () => {
    const pending = createPendingCommits();
    pending.handled("orders", 0, "1", 0);
    pending.handled("orders", 0, "2", 4_500);
    assert.deepEqual(pending.due(settleMs, 5_000), [], "the partition is busy: kafkajs is committing it");
    assert.deepEqual(pending.due(settleMs, 5_500), [{ topic: "orders", partition: 0, offset: "3" }]);
    pending.reset();
    assert.deepEqual(pending.due(settleMs, 60_000), []);
  });
});
