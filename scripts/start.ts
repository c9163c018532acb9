// npm start: the whole supergraph on this machine with nothing installed but Node 24.
// The router and all six subgraphs run in this one process, each subgraph on its own embedded
// PostgreSQL (PGlite files under .data/<subgraph>), events on the in-process bus, demo data seeded
// (not with NODE_ENV=production unless SEED_DEMO=true).
import path from "node:path";
import { graphiqlEnabled, graphiqlPath, readRouterSettings } from "@storefront/router";
import { createLogger, parseEnv, runUntilSignalled, subgraphNames } from "@storefront/service";
import { startEmbeddedShop } from "./embedded.ts";
import { embeddedSettingsShape } from "./embedded-settings.ts";

const logger = createLogger({ service: "storefront", level: process.env.LOG_LEVEL ?? "warn" });

runUntilSignalled(logger, async () => {
  const started = performance.now();
  const router = readRouterSettings();
  const settings = parseEnv("npm start", embeddedSettingsShape);
  const dataDir = path.resolve(settings.STOREFRONT_DATA_DIR);
  const ports = Object.fromEntries(subgraphNames.map((name) => [name, settings[`${name.toUpperCase()}_PORT` as "USERS_PORT"]]));
  const shop = await startEmbeddedShop({ dataDir, logger, router, subgraphPorts: ports, seedDemo: settings.SEED_DEMO });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const base = shop.routerUrl.replace(/\/graphql$/, "");
  console.log(
    `\nStorefront supergraph is up in ${seconds} s: ${shop.subgraphs.length} subgraphs, data in ${path.relative(process.cwd(), dataDir) || "."}/`,
  );
  const production = router.NODE_ENV === "production";
  console.log(`  GraphQL endpoint${production ? "" : " and Apollo Sandbox"}: ${shop.routerUrl}`);
  if (graphiqlEnabled(router))
    console.log(`  GraphiQL, the IDE that needs no internet (Sandbox loads from Apollo's CDN): ${base}${graphiqlPath}`);
  console.log(`  Health: ${base}/health   Readiness: ${base}/ready`);
  console.log("Press Ctrl-C to stop.\n");
  return shop.stop;
});
