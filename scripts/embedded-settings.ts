// Settings of `npm start` besides the router's: kept apart from the shop itself so the settings docs read them cheaply.
import path from "node:path";
import { defaultSubgraphPorts, flag, port, subgraphNames } from "@storefront/service";
import { z } from "zod";
import { repoRoot } from "./subgraphs.ts";

/**
 * Settings of `npm start` besides the router's own (PORT, HOST, NODE_ENV, … apply to the whole shop):
 * where the data lives, each subgraph's port and the web app's.
 */
export const embeddedSettingsShape = {
  STOREFRONT_DATA_DIR: z
    .string()
    .default(path.join(repoRoot, ".data"))
    .describe("Where the embedded databases live, one PGlite directory per subgraph; delete it to start from an empty shop."),
  SEED_DEMO: flag(undefined).describe(
    "Seed the demo shop (its accounts' passwords are in this README); default: on, except with NODE_ENV=production.",
  ),
  WEB_PORT: port(3000).describe(
    "Port of the storefront web app (apps/web, its production build), built first when stale except with NODE_ENV=production.",
  ),
  ...(Object.fromEntries(
    subgraphNames.map((name) => [`${name.toUpperCase()}_PORT`, port(defaultSubgraphPorts[name]).describe(`Port of the ${name} subgraph.`)]),
  ) as Record<`${Uppercase<(typeof subgraphNames)[number]>}_PORT`, ReturnType<typeof port>>),
};
