import { createLogger, runUntilSignalled } from "@storefront/service";
import { readRouterSettings } from "./env.ts";
import { createRouter } from "./server.ts";

const logger = createLogger({ service: "router", level: process.env.LOG_LEVEL ?? "info" });

runUntilSignalled(logger, async () => {
  const router = createRouter({ settings: readRouterSettings(), logger });
  const running = await router.listen();
  logger.info({ url: running.url }, "router ready");
  return running.close;
});
