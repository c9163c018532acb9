// The schema check's report: changes grouped breaking / dangerous / safe, one line per change with its coordinate
// (a change seen in several schemas, a subgraph's and the API's, is one line naming them all), then the operations.
import type { Acceptances, AcceptedChange } from "./accepted-changes.ts";
import { type Level, levels } from "./changes.ts";
import type { OperationReport } from "./operations.ts";

interface Line {
  readonly change: AcceptedChange;
  readonly where: string[];
}

/** One line per distinct change; `where` lists the schemas it appears in. */
export function mergeByCoordinate(changes: readonly AcceptedChange[]): Line[] {
  const lines = new Map<string, Line>();
  for (const change of changes) {
    const key = [change.level, change.kind, change.coordinate, change.message].join("\u0000");
    const line = lines.get(key);
    if (line) line.where.push(change.where);
    else lines.set(key, { change, where: [change.where] });
  }
  return [...lines.values()];
}

const mark: Record<Level, string> = { breaking: "✗", dangerous: "!", safe: "+" };

/** A message on one line of reasonable length (descriptions can be paragraphs). */
const oneLine = (text: string) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
};

export function changesReport(acceptances: Acceptances, acceptedChangesPath: string): { text: string; unaccepted: number } {
  const lines = mergeByCoordinate(acceptances.changes);
  const out: string[] = [];
  let unaccepted = 0;
  if (lines.length === 0) out.push("  no changes");
  for (const level of levels) {
    const group = lines.filter((line) => line.change.level === level);
    if (group.length === 0) continue;
    const accepted = group.filter((line) => line.change.acceptedBy).length;
    if (level === "breaking") unaccepted += group.length - accepted;
    out.push(`  ${level} (${group.length}${accepted ? `, ${accepted} accepted` : ""})`);
    for (const { change, where } of group) {
      const acceptedBy = change.acceptedBy;
      const symbol = acceptedBy ? "✓" : mark[level];
      const note = acceptedBy ? `  accepted (${acceptedChangesPath}:${acceptedBy.line}): ${acceptedBy.reason}` : "";
      out.push(`    ${symbol} ${change.coordinate}  ${oneLine(change.message)}  [${where.join(", ")}]${note}`);
    }
  }
  for (const entry of acceptances.unused) {
    out.push(`  note: ${acceptedChangesPath}:${entry.line} accepts ${entry.coordinate}, which has no breaking change here (a typo?)`);
  }
  if (acceptances.earlier.length > 0) {
    out.push(
      `  note: ${acceptances.earlier.length} entr${acceptances.earlier.length === 1 ? "y" : "ies"} of ${acceptedChangesPath} ` +
        "came with earlier changes (already in the base) and accept nothing now; delete them when convenient",
    );
  }
  return { text: out.join("\n"), unaccepted };
}

export function operationsReport(reports: readonly OperationReport[]): { text: string; broken: number } {
  const out: string[] = [];
  for (const report of reports) {
    if (report.absent) {
      out.push(`  - ${report.client}: not checked (${report.absent})`);
      continue;
    }
    const verdict = report.errors.length === 0 ? "valid" : `${report.errors.length} problem${report.errors.length === 1 ? "" : "s"}`;
    out.push(
      `  ${report.errors.length === 0 ? "✓" : "✗"} ${report.client}: ${report.operations} operation${report.operations === 1 ? "" : "s"}, ${verdict}`,
    );
    for (const problem of report.errors) out.push(`    ✗ ${problem.operation} (${problem.at}): ${problem.message}`);
    for (const problem of report.deprecated) out.push(`    ! ${problem.operation} (${problem.at}): ${problem.message}`);
  }
  return { text: out.join("\n"), broken: reports.reduce((count, report) => count + report.errors.length, 0) };
}
