import cluster from "node:cluster";
import { createLogger, InvalidEnvironmentError, runUntilSignalled, runWorkers, workerCount } from "@storefront/service";
import { RateLimiterClusterMaster } from "rate-limiter-flexible";
import { type RouterSettings, readRouterSettings } from "./env.ts";
import { createRouter } from "./server.ts";

const logger = createLogger({ service: "router", level: process.env.LOG_LEVEL ?? "info" });

let settings: RouterSettings;
try {
  settings = readRouterSettings();
} catch (error) {
  if (!(error instanceof InvalidEnvironmentError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const workers = workerCount(settings);
// In-memory rate-limit counts live in the primary, shared by every worker (rate-limit.ts).
if (workers > 1 && cluster.isPrimary) new RateLimiterClusterMaster();
// WORKERS routers on one port (node:cluster), or this process alone; every worker drains on SIGTERM to the primary.
runWorkers(
  {
    workers,
    logger,
    // a worker drains as a single router would, then closes its subgraph connections: a little slack past that
    shutdownTimeoutMs: settings.SHUTDOWN_DELAY_MS + settings.SHUTDOWN_GRACE_MS + 15_000,
  },
  (workerLogger) =>
    runUntilSignalled(workerLogger, async () => {
      const router = createRouter({ settings, logger: workerLogger });
      const running = await router.listen();
      workerLogger.info({ url: running.url }, "router ready");
      return running.close;
    }),
);
