// The schema check as one function (scripts/schema-check.ts is its command line):
//   1. the subgraphs compose and the committed supergraph is their result (scripts/compose.ts);
//   2. every subgraph's SDL, the supergraph's API schema and the event catalogue's JSON Schemas are compared with the
//      base, and each change is graded breaking, dangerous or safe; a breaking change fails unless
//      schema/accepted-changes accepts it;
//   3. every operation the API's known clients send, and the calls between subgraphs, are valid against the schema
//      they are sent to.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { GraphQLSchema } from "graphql";
import { checkSupergraph, composeSupergraph, type Output, sdlFile, supergraphFile } from "../compose.ts";
import { subgraphNames } from "../subgraphs.ts";
import { AcceptedChangesError, acceptedChangesPath, applyAcceptances, parseAcceptedChanges } from "./accepted-changes.ts";
import { type Change, schemaChanges } from "./changes.ts";
import { eventSchemaChanges } from "./event-changes.ts";
import { type Base, findBase, type NoBase } from "./git.ts";
import { clientOperations, type OperationReport, subgraphCallOperations, validateOperations } from "./operations.ts";
import { changesReport, operationsReport } from "./report.ts";
import { apiSchemaOf, subgraphSchemaOf } from "./schemas.ts";

export const eventSchemasDir = "packages/events/schemas";

export interface SchemaCheckOptions {
  /** The checkout to check. */
  readonly root: string;
  /** A git ref to compare with; default: the merge base of HEAD and main (or origin/main). */
  readonly base?: string;
}

/** A schema built from SDL, or the reason it cannot be built. */
function build<T>(what: string, make: () => T): T | string {
  try {
    return make();
  } catch (error) {
    return `${what} cannot be built: ${(error as Error).message.split("\n")[0]}`;
  }
}

/** Runs every check, printing the report to `out`; true when all hold. Throws UnknownBaseError for a bad --base. */
export async function runSchemaCheck({ root, base: requestedBase }: SchemaCheckOptions, out: Output = console): Promise<boolean> {
  const readCurrent = (file: string) => (existsSync(path.join(root, file)) ? readFileSync(path.join(root, file), "utf8") : null);
  const failures: string[] = [];
  // Each subgraph's schema now, built once for both the comparison with the base and the calls sent to it.
  const currentSubgraphSchemas = new Map<string, GraphQLSchema | string>();
  const currentSubgraphSchema = (name: string): GraphQLSchema | string => {
    let schema = currentSubgraphSchemas.get(name);
    if (schema === undefined) {
      const sdl = readCurrent(sdlFile(name));
      schema = sdl === null ? `there is no ${sdlFile(name)}` : build(sdlFile(name), () => subgraphSchemaOf(sdl));
      currentSubgraphSchemas.set(name, schema);
    }
    return schema;
  };

  // 1. composition and the committed supergraph
  out.log("== Composition");
  const composition = composeSupergraph(root);
  if (!checkSupergraph(root, composition, out)) failures.push("composition or the committed supergraph");
  const apiSchema = composition.ok ? build("the API schema", () => apiSchemaOf(composition.supergraph)) : "composition failed";

  // 2. changes against the base
  const base: Base | NoBase = findBase(root, requestedBase);
  out.log(`\n== Changes against ${"skipped" in base ? "the base" : base.description}`);
  if ("skipped" in base) {
    out.log(`  skipped: ${base.skipped}`);
  } else {
    const { changes, notes } = await changesSince(base);
    try {
      const acceptances = applyAcceptances(
        changes,
        parseAcceptedChanges(readCurrent(acceptedChangesPath)),
        parseAcceptedChanges(base.read(acceptedChangesPath)),
      );
      for (const note of notes) out.log(`  note: ${note}`);
      const report = changesReport(acceptances, acceptedChangesPath);
      out.log(report.text);
      if (report.unaccepted > 0) failures.push(`${report.unaccepted} breaking change${report.unaccepted === 1 ? "" : "s"} not accepted`);
    } catch (error) {
      if (!(error instanceof AcceptedChangesError)) throw error;
      out.log(`  ✗ ${error.message}`);
      failures.push(acceptedChangesPath);
    }
  }

  // 3. operations
  out.log("\n== Operations");
  const reports: OperationReport[] = [];
  for (const set of clientOperations(root)) {
    if (typeof apiSchema !== "string") reports.push(validateOperations(set, apiSchema));
    else if (!set.absent) out.log(`  ✗ ${set.client}: not validated, ${apiSchema}`);
  }
  for (const set of subgraphCallOperations(root)) {
    const schema = currentSubgraphSchema(set.target);
    if (typeof schema !== "string") {
      reports.push(validateOperations(set, schema));
      continue;
    }
    out.log(`  ✗ ${set.client}: not validated, ${schema}`);
    failures.push(set.client);
  }
  const operations = operationsReport(reports);
  out.log(operations.text);
  if (operations.broken > 0) failures.push(`${operations.broken} operation problem${operations.broken === 1 ? "" : "s"}`);

  out.log(failures.length === 0 ? "\nSchema check passed." : `\nSchema check failed: ${failures.join("; ")}.`);
  return failures.length === 0;

  /** Every change of the subgraphs' SDL, the API schema and the event schemas from the base to the working tree. */
  async function changesSince(base: Base): Promise<{ changes: Change[]; notes: string[] }> {
    const changes: Change[] = [];
    const notes: string[] = [];
    const compare = async (where: string, before: GraphQLSchema | string | null, after: GraphQLSchema | string | null) => {
      if (typeof before === "string") notes.push(`${where}: not compared, at the base ${before}`);
      else if (typeof after === "string") notes.push(`${where}: not compared, ${after}`);
      else if (before || after) changes.push(...(await schemaChanges(where, before, after)));
    };

    for (const name of subgraphNames) {
      const [before, after] = [base.read(sdlFile(name)), readCurrent(sdlFile(name))];
      if (before === after) continue;
      const where = `subgraph ${name}`;
      // a whole subgraph coming or going is one change (its types and fields show in the API schema's changes)
      if (before === null) {
        changes.push({
          level: "safe",
          coordinate: `subgraph:${name}`,
          message: `Subgraph '${name}' was added`,
          where,
          kind: "SUBGRAPH_ADDED",
        });
      }
      if (after === null) {
        const message = `Subgraph '${name}' was removed: what only it served is gone`;
        changes.push({ level: "breaking", coordinate: `subgraph:${name}`, message, where, kind: "SUBGRAPH_REMOVED" });
      }
      if (before === null || after === null) continue;
      await compare(
        where,
        build(sdlFile(name), () => subgraphSchemaOf(before)),
        currentSubgraphSchema(name),
      );
    }

    const baseSupergraph = base.read(supergraphFile);
    if (baseSupergraph === null) notes.push(`api: not compared, the base has no ${supergraphFile}`);
    else
      await compare(
        "api",
        build(supergraphFile, () => apiSchemaOf(baseSupergraph)),
        apiSchema,
      );

    const currentEvents = existsSync(path.join(root, eventSchemasDir))
      ? readdirSync(path.join(root, eventSchemasDir)).filter((name) => name.endsWith(".json"))
      : [];
    const baseEvents = base.list(eventSchemasDir).map((file) => path.basename(file));
    for (const name of [...new Set([...baseEvents, ...currentEvents])].sort()) {
      const file = `${eventSchemasDir}/${name}`;
      const [before, after] = [base.read(file), readCurrent(file)];
      if (before === after) continue;
      const parsed = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
      changes.push(...eventSchemaChanges(name.replace(/\.json$/, ""), parsed(before), parsed(after)));
    }
    return { changes, notes };
  }
}
