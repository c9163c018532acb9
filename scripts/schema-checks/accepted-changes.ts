// schema/accepted-changes: breaking changes accepted on purpose, one a line, `<coordinate> <reason>`, reviewed in the
// pull request that makes the change. An entry accepts only the change it was written for: entries already present at
// the base accepted an earlier change and accept nothing now, so a coordinate broken once is not open for ever.
import type { Change } from "./changes.ts";

export const acceptedChangesPath = "schema/accepted-changes";

export interface Acceptance {
  readonly coordinate: string;
  readonly reason: string;
  /** Line in schema/accepted-changes, for the report. */
  readonly line: number;
}

/** A line that is neither a comment nor `<coordinate> <reason>`. */
export class AcceptedChangesError extends Error {
  constructor(line: number, problem: string) {
    super(`${acceptedChangesPath}:${line}: ${problem}`);
    this.name = "AcceptedChangesError";
  }
}

export function parseAcceptedChanges(text: string | null): Acceptance[] {
  const entries: Acceptance[] = [];
  for (const [index, raw] of (text ?? "").split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [, coordinate = "", reason = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (reason.trim().length < 10) {
      throw new AcceptedChangesError(index + 1, `"${coordinate}" needs a reason after it (why the break is acceptable, who is affected)`);
    }
    entries.push({ coordinate, reason: reason.trim(), line: index + 1 });
  }
  return entries;
}

export interface AcceptedChange extends Change {
  /** The entry that accepts this breaking change, when one does. */
  readonly acceptedBy?: Acceptance;
}

export interface Acceptances {
  readonly changes: AcceptedChange[];
  /** Entries of this change that match no breaking change (a typo, or a change that is no longer breaking). */
  readonly unused: Acceptance[];
  /** Entries the base already had: they accepted earlier changes. */
  readonly earlier: Acceptance[];
}

/** Marks the breaking changes that an entry added since the base accepts. */
export function applyAcceptances(changes: readonly Change[], current: readonly Acceptance[], atBase: readonly Acceptance[]): Acceptances {
  const key = (entry: Acceptance) => `${entry.coordinate}\u0000${entry.reason}`;
  const baseKeys = new Set(atBase.map(key));
  const fresh = current.filter((entry) => !baseKeys.has(key(entry)));
  const used = new Set<Acceptance>();
  const marked = changes.map((change): AcceptedChange => {
    if (change.level !== "breaking") return change;
    const entry = fresh.find((candidate) => candidate.coordinate === change.coordinate);
    if (!entry) return change;
    used.add(entry);
    return { ...change, acceptedBy: entry };
  });
  return {
    changes: marked,
    unused: fresh.filter((entry) => !used.has(entry)),
    earlier: current.filter((entry) => baseKeys.has(key(entry))),
  };
}
