// A node:test reporter for scripts/test.ts (next to the spec reporter): writes the run's closing counts and every skip
// with its reason as one JSON line, so the runner can end with one summary line per run.
import type { TestEvent } from "node:test/reporters";

export type RunSummary = {
  counts: {
    tests: number;
    passed: number;
    failed: number;
    skipped: number;
    cancelled: number;
    todo: number;
    suites: number;
    topLevel: number;
  };
  skips: { name: string; file: string; reason: string; suite: boolean }[];
};

export default async function* summaryReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const skips: RunSummary["skips"] = [];
  let counts: RunSummary["counts"] | undefined;
  for await (const event of source) {
    if (event.type === "test:pass" && event.data.skip !== undefined && event.data.skip !== false) {
      skips.push({
        name: event.data.name,
        file: event.data.file ?? "",
        reason: event.data.skip === true ? "(no reason given)" : event.data.skip,
        suite: event.data.details.type === "suite",
      });
    }
    // one summary per file, then one for the whole run (without a file)
    // node reports `failed` as well; @types/node 24.10 leaves it out
    if (event.type === "test:summary" && event.data.file === undefined) counts = event.data.counts as RunSummary["counts"];
  }
  if (counts) yield `${JSON.stringify({ counts, skips } satisfies RunSummary)}\n`;
}
