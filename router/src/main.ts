import { createLogger, runUntilSignalled } from "@storefront/service";
import { readRouterEnv, subgraphUrlOverrides } from "./env.ts";
import { createRouter } from "./server.ts";

const logger = createLogger({ service: "router", level: process.env.LOG_LEVEL ?? "info" });

runUntilSignalled(logger, async () => {
  const env = readRouterEnv();
  const router = createRouter({
    supergraphPath: env.SUPERGRAPH_PATH,
    subgraphUrls: subgraphUrlOverrides(env),
    logger,
    production: env.NODE_ENV === "production",
    maxBodyBytes: env.MAX_BODY_BYTES,
    jwksUrl: env.JWKS_URL ? new URL(env.JWKS_URL) : undefined,
  });
  const running = await router.listen(env.PORT, env.HOST);
  logger.info({ url: running.url }, "router ready");
  return running.close;
});
