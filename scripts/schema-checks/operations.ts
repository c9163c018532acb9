// The operations this API's clients are known to send, found in their files, and validated against the schema they
// are sent to: client operations against the router's API schema, the subgraphs' calls to each other against the
// called subgraph's own schema. A schema change that breaks one fails the check with the operation's name and file.
import { existsSync, globSync, readFileSync } from "node:fs";
import path from "node:path";
import { validate } from "@graphql-inspector/core";
import { gqlPluckFromCodeStringSync } from "@graphql-tools/graphql-tag-pluck";
import { parseManifest } from "@storefront/router/persisted-operations";
import { type GraphQLError, type GraphQLSchema, Kind, parse, Source } from "graphql";
import { readmeExamples } from "../readme-examples.ts";

/** A group of operations sent by one client to one schema. */
export interface OperationSet {
  /** Who sends them: "README examples", "orders → cart"... */
  readonly client: string;
  readonly sources: Source[];
  /** Why the set is empty, when it is (a client that does not exist in this checkout). */
  readonly absent?: string;
  /** Each source is a whole document with its own fragments (a manifest's entries), not sharing them with the others. */
  readonly selfContained?: boolean;
}

export interface OperationProblem {
  readonly client: string;
  /** The operation's name, or "anonymous operation at <line>". */
  readonly operation: string;
  /** `file:line` of the problem. */
  readonly at: string;
  readonly message: string;
}

export interface OperationReport {
  readonly client: string;
  readonly operations: number;
  readonly errors: OperationProblem[];
  /** Uses of deprecated fields, arguments or values: warnings, not failures. */
  readonly deprecated: OperationProblem[];
  readonly absent?: string;
}

/** Folders that hold installed or built code, never a client's own documents. */
const ignoredFolders = new Set(["node_modules", "dist", "build", ".next"]);

/** The GraphQL in a code file: `graphql(...)`, `gql` tags and `/* GraphQL *\/` templates (GraphQL Code Generator's way). */
function sourcesInCode(root: string, file: string): Source[] {
  const code = readFileSync(path.join(root, file), "utf8");
  const lines = code.split("\n");
  return gqlPluckFromCodeStringSync(file, code).map((source) => {
    // the plucked text starts at its first non-blank line, which may be below the template's opening backtick
    const first = source.body.split("\n")[0]?.trim() ?? "";
    const from = source.locationOffset.line - 1;
    const found = lines.findIndex((line, index) => index >= from && line.includes(first));
    return new Source(source.body, file, { line: found < 0 ? source.locationOffset.line : found + 1, column: 1 });
  });
}

/** Every file matching `patterns` under root, repository-relative, sorted. */
function filesMatching(root: string, patterns: string[]): string[] {
  return globSync(patterns, { cwd: root })
    .map((file) => file.split(path.sep).join("/"))
    .filter((file) => !file.split("/").some((folder) => ignoredFolders.has(folder)))
    .sort();
}

function sourcesIn(root: string, files: readonly string[]): Source[] {
  return files.flatMap((file) =>
    /\.(graphql|gql)$/.test(file) ? [new Source(readFileSync(path.join(root, file), "utf8"), file)] : sourcesInCode(root, file),
  );
}

/** What clients of the router send: the README, the end-to-end shop client, the web app and its manifest. */
export function clientOperations(root: string): OperationSet[] {
  const readme = existsSync(path.join(root, "README.md"))
    ? readmeExamples(readFileSync(path.join(root, "README.md"), "utf8")).map(
        (example) => new Source(example.query, "README.md", { line: example.line + 1, column: 1 }),
      )
    : [];
  const webApp = path.join(root, "apps/web");
  const manifests = filesMatching(root, [
    "apps/*/persisted-documents.json",
    "apps/*/**/persisted-documents.json",
    "apps/*/**/persisted-query-manifest.json",
  ]);
  return [
    { client: "README examples", sources: readme },
    { client: "shop client of the end-to-end tests", sources: sourcesIn(root, filesMatching(root, ["test/e2e/support/shop.ts"])) },
    existsSync(webApp)
      ? { client: "storefront web app", sources: sourcesIn(root, filesMatching(root, ["apps/web/src/**/*.{ts,tsx,graphql,gql}"])) }
      : { client: "storefront web app", sources: [], absent: "apps/web does not exist in this checkout" },
    manifests.length > 0
      ? {
          client: "persisted operations",
          selfContained: true,
          sources: manifests.flatMap((file) =>
            [...parseManifest(readFileSync(path.join(root, file), "utf8"), file).byId].map(
              ([id, body]) => new Source(body, `${file}#${id}`),
            ),
          ),
        }
      : { client: "persisted operations", sources: [], absent: "no persisted-operations manifest under apps/" },
  ];
}

/** The subgraph-to-subgraph calls: subgraphs/<caller>/src/clients/<target>.graphql, by target subgraph. */
export function subgraphCallOperations(root: string): (OperationSet & { target: string })[] {
  return filesMatching(root, ["subgraphs/*/src/clients/*.graphql"]).map((file) => {
    const [, caller = "", , , name = ""] = file.split("/");
    const target = name.replace(/\.graphql$/, "");
    return { client: `${caller} → ${target}`, target, sources: sourcesIn(root, [file]) };
  });
}

/** The names of a document's operations (fragments have none). */
function namesIn(source: Source): string[] {
  let definitions: ReturnType<typeof parse>["definitions"];
  try {
    definitions = parse(source).definitions;
  } catch {
    return [];
  }
  return definitions.flatMap((definition, index) =>
    definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? `anonymous operation #${index + 1}`] : [],
  );
}

/**
 * `file:line` of an error: its first location, shifted by where its source starts in the file. graphql-inspector
 * parses the texts again (its errors point into "GraphQL request"), so the source is found back by its text.
 */
function placeOf(error: GraphQLError, fallback: Source, byText: ReadonlyMap<string, Source>): string {
  const source = (error.source && byText.get(error.source.body)) ?? error.source ?? fallback;
  const line = (error.locations?.[0]?.line ?? 1) + source.locationOffset.line - 1;
  return `${source.name.split("#")[0]}:${line}`;
}

/** Validates a set against a schema (graphql-js's rules, fragments shared across the set's files). */
export function validateOperations(set: OperationSet, schema: GraphQLSchema): OperationReport {
  const byText = new Map(set.sources.map((source) => [source.body, source]));
  const problems = (source: Source, errors: readonly GraphQLError[]): OperationProblem[] =>
    errors.map((error) => ({
      client: set.client,
      operation: namesIn(source).join(", ") || "fragment",
      at: source.name.includes("#")
        ? `${placeOf(error, source, byText)} (id ${source.name.split("#")[1]})`
        : placeOf(error, source, byText),
      message: error.message,
    }));
  // a document that does not parse is reported on its own, and the others are still validated
  const unparsable: OperationProblem[] = [];
  const parsable = set.sources.filter((source) => {
    try {
      parse(source);
      return true;
    } catch (error) {
      unparsable.push(...problems(source, [error as GraphQLError]).map((problem) => ({ ...problem, operation: "unparsable document" })));
      return false;
    }
  });
  const results = set.selfContained
    ? parsable.flatMap((source) => validate(schema, [source], { strictDeprecated: true, strictFragments: true }))
    : validate(schema, parsable, { strictDeprecated: true, strictFragments: true });
  return {
    client: set.client,
    operations: parsable.reduce((count, source) => count + namesIn(source).length, 0),
    errors: [...unparsable, ...results.flatMap((result) => problems(result.source, result.errors))],
    deprecated: results.flatMap((result) => problems(result.source, result.deprecated)),
    ...(set.absent ? { absent: set.absent } : {}),
  };
}
