// npm start: the whole supergraph on this machine with nothing installed but Node 24.
// The router and all six subgraphs run in this one process, each subgraph on its own embedded
// PostgreSQL (PGlite files under .data/<subgraph>), events on the in-process bus, demo data seeded
// (not with NODE_ENV=production unless SEED_DEMO=true). The storefront web app (apps/web) is served too.
import { existsSync } from "node:fs";
import path from "node:path";
import { graphiqlEnabled, graphiqlPath, type RouterSettings, readRouterSettings } from "@storefront/router";
import { createLogger, parseEnv, runUntilSignalled, subgraphNames } from "@storefront/service";
import {
  createWebAppServer,
  ensureWebAppBuilt,
  persistedDocumentsFile,
  type RunningWebApp,
  type WebAppConfig,
  webAppDistDir,
} from "@storefront/web/server";
import { startEmbeddedShop } from "./embedded.ts";
import { embeddedSettingsShape } from "./embedded-settings.ts";

const logger = createLogger({ service: "storefront", level: process.env.LOG_LEVEL ?? "warn" });

/**
 * The web app's production build on `port`: built first when missing or stale, except in production, which serves
 * only a build made before (undefined when there is none).
 */
async function startWebApp(options: {
  readonly router: RouterSettings;
  readonly port: number;
  readonly config: () => WebAppConfig;
}): Promise<RunningWebApp | undefined> {
  if (options.router.NODE_ENV !== "production") {
    await ensureWebAppBuilt(() => console.log("Building the web app (apps/web), which takes a few seconds after each change…"));
  } else if (!existsSync(path.join(webAppDistDir, "index.html"))) {
    console.log("The web app is not built (npm run build -w @storefront/web), so it is not served.");
    return undefined;
  }
  return createWebAppServer({ config: options.config }).listen(options.port, options.router.HOST);
}

/** The router's settings with the web app's origin among its CORS_ORIGINS, so the app may call it from the browser. */
function allowingOrigin(router: RouterSettings, origin: string | undefined): RouterSettings {
  if (!origin || router.CORS_ORIGINS.includes("*") || router.CORS_ORIGINS.includes(origin)) return router;
  return { ...router, CORS_ORIGINS: [...router.CORS_ORIGINS, origin] };
}

runUntilSignalled(logger, async () => {
  const started = performance.now();
  const router = readRouterSettings();
  const settings = parseEnv("npm start", embeddedSettingsShape);
  const dataDir = path.resolve(settings.STOREFRONT_DATA_DIR);
  const ports = Object.fromEntries(subgraphNames.map((name) => [name, settings[`${name.toUpperCase()}_PORT` as "USERS_PORT"]]));
  // The app sends manifest ids only to a router that serves its own build's manifest.
  const servesAppManifest =
    router.PERSISTED_OPERATIONS_MODE !== "off" &&
    !!router.PERSISTED_OPERATIONS_PATH &&
    path.resolve(router.PERSISTED_OPERATIONS_PATH) === persistedDocumentsFile();
  let routerUrl = "";
  // The web app listens first: the router must know its origin (CORS) before it starts.
  const web = await startWebApp({
    router,
    port: settings.WEB_PORT,
    config: () => ({ graphqlUrl: routerUrl, persistedDocuments: servesAppManifest }),
  });
  const shop = await startEmbeddedShop({
    dataDir,
    logger,
    router: allowingOrigin(router, web?.origin),
    subgraphPorts: ports,
    seedDemo: settings.SEED_DEMO,
  }).catch(async (error: unknown) => {
    await web?.close();
    throw error;
  });
  routerUrl = shop.routerUrl;
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
  if (web) console.log(`  Storefront web app: ${web.url}`);
  console.log("Press Ctrl-C to stop.\n");
  return async () => {
    await web?.close();
    await shop.stop();
  };
});
