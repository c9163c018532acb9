// npm run compose                      writes schema/supergraph.graphql from the subgraphs' SDL files
// node scripts/compose.ts --check      fails when composition fails or the committed supergraph is stale
// (npm run schema:check runs this check first, then compares with the base: scripts/schema-check.ts)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { defaultPorts, repoRoot, subgraphNames } from "./subgraphs.ts";

export type Composition =
  | { readonly ok: true; readonly supergraph: string; readonly subgraphs: number; readonly hints: string[] }
  | { readonly ok: false; readonly errors: string[] };

export const supergraphFile = "schema/supergraph.graphql";
export const sdlFile = (name: string) => `subgraphs/${name}/schema.graphql`;

/** Composes the SDL files of the repository at `root` (a subgraph without an SDL file yet is left out). */
export function composeSupergraph(root: string = repoRoot): Composition {
  // The routing URLs in the file are the embedded defaults; the router overrides them per environment.
  const services = subgraphNames
    .filter((name) => existsSync(path.join(root, sdlFile(name))))
    .map((name) => ({
      name,
      url: `http://127.0.0.1:${defaultPorts[name]}/graphql`,
      typeDefs: parse(readFileSync(path.join(root, sdlFile(name)), "utf8")),
    }));
  const result = composeServices(services);
  if (result.errors) return { ok: false, errors: result.errors.map((error) => error.message) };
  return {
    ok: true,
    supergraph: `${result.supergraphSdl.trimEnd()}\n`,
    subgraphs: services.length,
    hints: (result.hints ?? []).map((hint) => `${hint.definition.code}: ${hint.message}`),
  };
}

/** Where a check writes what it finds (the console, or a test's collector). */
export type Output = Pick<Console, "log" | "warn" | "error">;

/** Composition succeeds and the committed supergraph is its result; prints what it found, false on failure. */
export function checkSupergraph(
  root: string = repoRoot,
  composition: Composition = composeSupergraph(root),
  out: Output = console,
): boolean {
  if (!composition.ok) {
    printCompositionErrors(composition.errors, out);
    return false;
  }
  for (const hint of composition.hints) out.warn(`hint: ${hint}`);
  const committedPath = path.join(root, supergraphFile);
  const committed = existsSync(committedPath) ? readFileSync(committedPath, "utf8") : "";
  if (committed !== composition.supergraph) {
    out.error(`${supergraphFile} is stale: run \`npm run compose\` and commit the result.`);
    return false;
  }
  out.log(`${supergraphFile} is up to date (${composition.subgraphs} subgraphs compose).`);
  return true;
}

function printCompositionErrors(errors: readonly string[], out: Output = console): void {
  out.error(`Composition failed (${errors.length} error${errors.length === 1 ? "" : "s"}):`);
  for (const error of errors) out.error(`  - ${error}`);
}

if (import.meta.main) {
  if (process.argv.includes("--check")) {
    process.exit(checkSupergraph() ? 0 : 1);
  }
  const composition = composeSupergraph();
  if (!composition.ok) {
    printCompositionErrors(composition.errors);
    process.exit(1);
  }
  for (const hint of composition.hints) console.warn(`hint: ${hint}`);
  writeFileSync(path.join(repoRoot, supergraphFile), composition.supergraph);
  console.log(`Wrote ${supergraphFile} from ${composition.subgraphs} subgraphs.`);
}
