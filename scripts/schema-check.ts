// npm run schema:check [-- --base <git ref>]
// What Apollo's `rover subgraph check` and Hive's schema checks do, offline and without an account: composition and
// the committed supergraph, the changes of every subgraph's SDL, of the API schema and of the event schemas since the
// base (default: the merge base of HEAD and main) graded breaking / dangerous / safe, and every known client operation
// validated (scripts/schema-checks/run.ts says how). Exit 0 when all holds, 1 when something fails (a breaking
// change not accepted in schema/accepted-changes, a broken operation, a stale supergraph), 2 for a bad command line.
// Without git history or a base (a tarball) the comparison is skipped and says so. `--root <dir>` checks another
// checkout than this one.
import path from "node:path";
import { parseArgs } from "node:util";
import { UnknownBaseError } from "./schema-checks/git.ts";
import { runSchemaCheck } from "./schema-checks/run.ts";
import { repoRoot } from "./subgraphs.ts";

let options: { base?: string; root?: string };
try {
  ({ values: options } = parseArgs({ options: { base: { type: "string" }, root: { type: "string" } } }));
} catch (error) {
  console.error(`${(error as Error).message}\nusage: npm run schema:check [-- --base <git ref>]`);
  process.exit(2);
}

try {
  const passed = await runSchemaCheck({ root: path.resolve(options.root ?? repoRoot), base: options.base });
  process.exit(passed ? 0 : 1);
} catch (error) {
  if (!(error instanceof UnknownBaseError)) throw error;
  console.error(error.message);
  process.exit(2);
}
