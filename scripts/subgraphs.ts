// Where the subgraphs' files live, for every script (the list itself is @storefront/service's).
import path from "node:path";
import type { SubgraphName } from "@storefront/service";

export const repoRoot = path.resolve(import.meta.dirname, "..");

export { defaultSubgraphPorts as defaultPorts, type SubgraphName, subgraphNames } from "@storefront/service";

export const sdlPath = (name: SubgraphName) => path.join(repoRoot, "subgraphs", name, "schema.graphql");
export const prismaDir = (name: SubgraphName) => path.join(repoRoot, "prisma", name);
export const supergraphPath = path.join(repoRoot, "schema", "supergraph.graphql");
