// npm start: the whole supergraph on this machine with nothing installed but Node 24.
// The router and all six subgraphs run in this one process, each subgraph on its own embedded
// PostgreSQL (PGlite files under .data/<subgraph>), events on the in-process bus, demo data seeded.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createInProcessBus } from "@storefront/events";
import { createRouter, readRouterEnv } from "@storefront/router";
import { type RunningSubgraph, subgraphUrlsFromEnv } from "@storefront/runtime";
import { createLogger, runUntilSignalled } from "@storefront/service";
import { embeddedSubgraphs } from "./embedded-subgraphs.ts";
import { repoRoot, supergraphPath } from "./subgraphs.ts";

const logger = createLogger({ service: "storefront", level: process.env.LOG_LEVEL ?? "warn" });
const dataDir = path.resolve(process.env.STOREFRONT_DATA_DIR ?? path.join(repoRoot, ".data"));

runUntilSignalled(logger, async () => {
  const started = performance.now();
  mkdirSync(dataDir, { recursive: true });
  const routerEnv = readRouterEnv();
  const subgraphUrls = subgraphUrlsFromEnv(process.env);
  const bus = createInProcessBus();
  const subgraphs: RunningSubgraph<unknown>[] = [];
  const stop = async () => {
    await running?.close();
    for (const subgraph of subgraphs) await subgraph.close();
    await bus.close();
  };
  let running: Awaited<ReturnType<ReturnType<typeof createRouter>["listen"]>> | undefined;
  try {
    // Each PGlite database lives in its own directory; the subgraphs start side by side.
    subgraphs.push(
      ...(await Promise.all(
        embeddedSubgraphs.map((module) =>
          module.start({
            database: { kind: "pglite", dataDir: path.join(dataDir, module.name) },
            bus,
            logger,
            production: false,
            port: Number(process.env[`${module.name.toUpperCase()}_PORT`] ?? module.defaultPort),
            migrate: true,
            seedDemo: true,
            subgraphUrls,
          }),
        ),
      )),
    );
    const router = createRouter({
      supergraphPath: process.env.SUPERGRAPH_PATH ?? supergraphPath,
      subgraphUrls: Object.fromEntries(subgraphs.map((s) => [s.name, s.url])),
      logger,
      production: false,
      maxBodyBytes: routerEnv.MAX_BODY_BYTES,
    });
    running = await router.listen(routerEnv.PORT, routerEnv.HOST);
  } catch (error) {
    await stop();
    throw error;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\nStorefront supergraph is up in ${seconds} s (${subgraphs.length} subgraphs, data in ${path.relative(process.cwd(), dataDir) || "."}/).`);
  console.log(`  GraphQL + Apollo Sandbox: ${running.url}`);
  console.log(`  Health: ${running.url.replace(/\/graphql$/, "/health")}   Readiness: ${running.url.replace(/\/graphql$/, "/ready")}`);
  console.log("Press Ctrl-C to stop.\n");
  return stop;
});
