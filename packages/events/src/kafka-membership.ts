import { createRequire } from "node:module";

/** The part of kafkajs 2.2.4's internal ConsumerGroup (src/consumer/consumerGroup.js) this module relies on. */
interface ConsumerGroupInternals {
  /** One per kafkajs consumer, kept when kafkajs restarts the consumer after a crash. */
  readonly cluster: object;
  readonly groupId: string;
  memberId: string | null;
  joinAndSync(): Promise<void>;
  leave(): Promise<void>;
}

/** The member id each consumer last had in its group, by the consumer's cluster. */
const lastMembers = new WeakMap<object, { groupId: string; memberId: string }>();
/** ConsumerGroup objects that have joined once: a rejoin after a rebalance or a fencing is kafkajs' own business. */
const joinedOnce = new WeakSet<ConsumerGroupInternals>();
let installed = false;

/**
 * Lets a kafkajs consumer that crashed and restarts rejoin its group as the member it was.
 *
 * kafkajs 2.2.4 (unmaintained) crashes a consumer on purpose when its only broker goes away (No broker available,
 * tulios/kafkajs#1402) and restarts it with a new ConsumerGroup that joins without a member id. The group coordinator
 * then waits for the old member, which never comes back, for a whole session timeout before handing out partitions: the
 * 10 to 30 s of recovery seen after a broker restart. Joining with the old member id instead (what the Java client does
 * until it is fenced) makes the rejoin immediate; a member the coordinator has forgotten meanwhile gets
 * UNKNOWN_MEMBER_ID, on which kafkajs joins afresh. The member is forgotten here once it left the group.
 */
export function keepMembershipAcrossRestarts(): void {
  if (installed) return;
  installed = true;
  // no public API for this; kafkajs has no `exports` map, and 2.2.4 is its last release
  const { prototype } = createRequire(import.meta.url)("kafkajs/src/consumer/consumerGroup.js") as { prototype: ConsumerGroupInternals };
  const { joinAndSync, leave } = prototype;
  prototype.joinAndSync = async function joinAsBefore(this: ConsumerGroupInternals): Promise<void> {
    const last = lastMembers.get(this.cluster);
    if (!joinedOnce.has(this) && this.memberId == null && last?.groupId === this.groupId) this.memberId = last.memberId;
    await joinAndSync.call(this);
    joinedOnce.add(this);
    if (this.memberId) lastMembers.set(this.cluster, { groupId: this.groupId, memberId: this.memberId });
  };
  prototype.leave = async function leaveForGood(this: ConsumerGroupInternals): Promise<void> {
    const member = this.memberId;
    await leave.call(this);
    if (member) lastMembers.delete(this.cluster);
  };
}
