// npm run compose          writes schema/supergraph.graphql from the subgraphs' SDL files
// npm run schema:check     fails when composition fails or the committed supergraph is stale
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { defaultPorts, repoRoot, sdlPath, subgraphNames, supergraphPath } from "./subgraphs.ts";

const check = process.argv.includes("--check");

// The routing URLs in the file are the embedded defaults; the router overrides them per environment.
const services = subgraphNames
  .filter((name) => existsSync(sdlPath(name)))
  .map((name) => ({
    name,
    url: `http://127.0.0.1:${defaultPorts[name]}/graphql`,
    typeDefs: parse(readFileSync(sdlPath(name), "utf8")),
  }));

const result = composeServices(services);
if (result.errors) {
  console.error(`Composition failed (${result.errors.length} error${result.errors.length === 1 ? "" : "s"}):`);
  for (const error of result.errors) console.error(`  - ${error.message}`);
  process.exit(1);
}
for (const hint of result.hints ?? []) console.warn(`hint: ${hint.definition.code}: ${hint.message}`);

const supergraph = `${result.supergraphSdl.trimEnd()}\n`;
const relative = path.relative(repoRoot, supergraphPath);
if (check) {
  const committed = existsSync(supergraphPath) ? readFileSync(supergraphPath, "utf8") : "";
  if (committed !== supergraph) {
    console.error(`${relative} is stale: run \`npm run compose\` and commit the result.`);
    process.exit(1);
  }
  console.log(`${relative} is up to date (${services.length} subgraphs compose).`);
} else {
  writeFileSync(supergraphPath, supergraph);
  console.log(`Wrote ${relative} from ${services.length} subgraphs.`);
}
