// npm start: the whole supergraph on this machine with nothing installed but Node 24.
// The router and all six subgraphs run in this one process, each subgraph on its own embedded
// PostgreSQL (PGlite files under .data/<subgraph>), events on the in-process bus, demo data seeded.
import path from "node:path";
import { readRouterEnv } from "@storefront/router";
import { createLogger, runUntilSignalled, subgraphNames } from "@storefront/service";
import { startEmbeddedShop } from "./embedded.ts";
import { repoRoot } from "./subgraphs.ts";

const logger = createLogger({ service: "storefront", level: process.env.LOG_LEVEL ?? "warn" });
const dataDir = path.resolve(process.env.STOREFRONT_DATA_DIR ?? path.join(repoRoot, ".data"));

runUntilSignalled(logger, async () => {
  const started = performance.now();
  const env = readRouterEnv();
  const ports = Object.fromEntries(
    subgraphNames.flatMap((name) => {
      const port = process.env[`${name.toUpperCase()}_PORT`];
      return port ? [[name, Number(port)]] : [];
    }),
  );
  const shop = await startEmbeddedShop({
    dataDir,
    logger,
    host: env.HOST,
    routerPort: env.PORT,
    subgraphPorts: ports,
    maxBodyBytes: env.MAX_BODY_BYTES,
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const base = shop.routerUrl.replace(/\/graphql$/, "");
  console.log(
    `\nStorefront supergraph is up in ${seconds} s: ${shop.subgraphs.length} subgraphs, data in ${path.relative(process.cwd(), dataDir) || "."}/`,
  );
  console.log(`  GraphQL endpoint and Apollo Sandbox: ${shop.routerUrl}`);
  console.log(`  Health: ${base}/health   Readiness: ${base}/ready`);
  console.log("Press Ctrl-C to stop.\n");
  return shop.stop;
});
