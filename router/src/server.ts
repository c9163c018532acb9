import type { IncomingMessage } from "node:http";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginUsageReportingDisabled } from "@apollo/server/plugin/disabled";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { createAccessTokenVerifier, type VerifyAccessToken } from "@storefront/auth";
import type { EventBus } from "@storefront/events";
import {
  type BaseContext,
  createGraphQLHttpServer,
  type HttpMiddleware,
  type HttpRoute,
  type Logger,
  maskUnexpectedErrors,
  type ReadinessReport,
  type RunningHttpServer,
  tracingSettings,
} from "@storefront/service";
import { metricsRoute, setUpTracing } from "@storefront/telemetry";
import { enforceAuthorization, enforcingSupergraphHook } from "./authorization/gateway.ts";
import { createClientDisconnectSignals } from "./client-disconnect.ts";
import { createCompressionMiddleware } from "./compression.ts";
import { createCorsMiddleware } from "./cors.ts";
import { defaultJwksUrl, type RouterSettings, subgraphUrlOverrides } from "./env.ts";
import { createGraphiqlRoutes, graphiqlEnabled, graphiqlPath } from "./graphiql.ts";
import { type Caller, identifyCaller } from "./identity.ts";
import { createOperationLimits, operationLimitSettingsOf } from "./limits/operation-limits.ts";
import { subgraphCallMetrics } from "./observability.ts";
import { refuseUnresolvedOperations } from "./operation-resolution.ts";
import { createPersistedOperations } from "./persisted-operations.ts";
import { createRateLimits } from "./rate-limit.ts";
import { createResponseCache } from "./response-cache.ts";
import { createSubgraphTraffic } from "./subgraphs/data-source.ts";
import { subgraphsOf, supergraphFromFile } from "./supergraph.ts";

export interface RouterOptions {
  /** Everything configurable, as read by readRouterSettings. */
  readonly settings: RouterSettings;
  readonly logger: Logger;
  /** The event bus the response cache follows (the embedded shop's); default: Kafka when KAFKA_BROKERS is set. */
  readonly bus?: EventBus;
}

/** What the router knows of a request: its id, logger and verified viewer, and what it forwards of the caller. */
export interface RouterContext extends BaseContext {
  readonly caller: Omit<Caller, "viewer">;
  /** Aborted when the client's connection closes before its answer: subgraph calls for it are cancelled. */
  readonly clientGone: AbortSignal;
}

async function probeSubgraph(url: string, timeoutMs: number): Promise<{ ok: boolean; detail?: string }> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return response.ok ? { ok: true } : { ok: false, detail: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * @apollo/gateway reports usage to Apollo (and probes cloud metadata addresses to describe the host)
 * unless this variable says no, and it reads it when constructed. A self-hosted shop sends nothing
 * anywhere unless its operator opts in.
 */
function applyApolloTelemetrySetting(disabled: boolean): void {
  if (disabled) process.env.APOLLO_TELEMETRY_DISABLED = "true";
  else delete process.env.APOLLO_TELEMETRY_DISABLED;
}

/** The router: the composed supergraph over HTTP, with its edge (CORS, compression, limits, …), /health and /ready. */
export function createRouter({ settings, logger, bus }: RouterOptions) {
  // First: a missing or broken manifest stops the router here, before anything starts.
  const persistedOperations = createPersistedOperations(
    { mode: settings.PERSISTED_OPERATIONS_MODE, manifestPath: settings.PERSISTED_OPERATIONS_PATH, apq: settings.APQ_ENABLED },
    logger,
  );
  // before the gateway makes its first span; spans leave the process only if OTEL_EXPORTER_OTLP_ENDPOINT is set
  setUpTracing({ component: "router", ...tracingSettings(settings) });
  const production = settings.NODE_ENV === "production";
  const subgraphUrls = subgraphUrlOverrides(settings);
  const supergraph = supergraphFromFile(settings.SUPERGRAPH_PATH, logger);
  const urlOf = (name: string, url: string) => subgraphUrls[name] ?? url;

  const verifyAccessToken: VerifyAccessToken = createAccessTokenVerifier({
    jwks: settings.JWKS_URL ? new URL(settings.JWKS_URL) : defaultJwksUrl(subgraphUrls),
    keyRefetchCooldownMs: settings.JWKS_REFETCH_COOLDOWN_MS,
  });
  // The rate-limit guard needs the viewer before Apollo runs, the context after it: one verification per request serves both.
  const callers = new WeakMap<IncomingMessage, Promise<Caller>>();
  const callerOf = (req: IncomingMessage) => {
    const known = callers.get(req);
    if (known) return known;
    const caller = identifyCaller(req, verifyAccessToken);
    callers.set(req, caller);
    return caller;
  };
  const rateLimits = createRateLimits({
    settings,
    logger,
    viewerOf: (req) =>
      callerOf(req).then(
        ({ viewer }) => viewer,
        () => null,
      ),
  });

  // Timeouts, connection pools and circuit breakers per subgraph; see subgraphs/data-source.ts.
  const subgraphTraffic = createSubgraphTraffic({ settings, logger, events: subgraphCallMetrics() });
  const clientDisconnects = createClientDisconnectSignals();

  applyApolloTelemetrySetting(settings.APOLLO_TELEMETRY_DISABLED);
  const gateway = enforceAuthorization(
    new ApolloGateway({
      supergraphSdl: enforcingSupergraphHook(supergraph.hook),
      buildService: ({ name, url }) => subgraphTraffic.dataSourceFor(name, urlOf(name, url ?? "")),
      logger,
    }),
    // Apollo hands the gateway the context built below for the same request.
    { logger, viewerOf: (context) => (context as RouterContext).viewer ?? null },
  );
  // Both decide before the query planner runs: which text an id stands for, whether it may run, whether it is too big.
  const limits = createOperationLimits(operationLimitSettingsOf(settings), logger);
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => limits.useSupergraph(coreSupergraphSdl));
  // Whole answers to anonymous queries, emptied by catalog and inventory events; and every answer's Cache-Control.
  const responseCache = createResponseCache<RouterContext>({ settings, logger, bus });
  gateway.onSchemaLoadOrUpdate(() => responseCache.supergraphChanged());

  const plugins: ApolloServerPlugin<RouterContext>[] = [
    refuseUnresolvedOperations(),
    ...(persistedOperations.plugin ? [persistedOperations.plugin] : []),
    limits.plugin,
    ...responseCache.plugins,
    // Apollo stops after the HTTP server has drained, so no subgraph call is left to cut.
    { serverWillStart: async () => ({ serverWillStop: () => subgraphTraffic.close() }) },
    { serverWillStart: async () => ({ serverWillStop: async () => rateLimits?.close() }) },
    production
      ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
      : ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
  ];
  // Usage reporting would start by itself whenever APOLLO_KEY is set; it follows the same opt-in.
  if (settings.APOLLO_TELEMETRY_DISABLED) plugins.push(ApolloServerPluginUsageReportingDisabled());

  const apollo = new ApolloServer<RouterContext>({
    gateway,
    logger,
    introspection: settings.INTROSPECTION ?? !production,
    includeStacktraceInErrorResponses: !production,
    formatError: maskUnexpectedErrors(production),
    parseOptions: limits.parseOptions,
    persistedQueries: persistedOperations.persistedQueries,
    // The process drains on SIGTERM itself (runUntilSignalled); Apollo's own handler would cut requests in flight.
    stopOnTerminationSignals: false,
    plugins,
  });

  async function readiness(): Promise<ReadinessReport> {
    const sdl = supergraph.current();
    if (!sdl) return { ready: false, checks: { supergraph: { ok: false, detail: "not loaded" } } };
    const subgraphs = subgraphsOf(sdl);
    const probes = await Promise.all(
      subgraphs.map(({ name, url }) => probeSubgraph(urlOf(name, url), settings.READINESS_PROBE_TIMEOUT_MS)),
    );
    const checks: ReadinessReport["checks"] = { supergraph: { ok: true } };
    subgraphs.forEach(({ name }, i) => {
      checks[name] = probes[i] ?? { ok: false };
    });
    return { ready: Object.values(checks).every((check) => check.ok), checks };
  }

  const middleware: HttpMiddleware[] = [clientDisconnects.middleware, createCorsMiddleware(settings)];
  const compression = createCompressionMiddleware(settings.COMPRESSION_MIN_BYTES);
  if (compression) middleware.push(compression);
  const routes: Record<string, HttpRoute> = { "/metrics": metricsRoute() };
  const graphiql = graphiqlEnabled(settings);
  if (graphiql) Object.assign(routes, createGraphiqlRoutes({ endpoint: "/graphql" }));

  const http = createGraphQLHttpServer<RouterContext>({
    apollo,
    logger,
    service: "router",
    maxBodyBytes: settings.MAX_BODY_BYTES,
    shutdownGraceMs: settings.SHUTDOWN_GRACE_MS,
    shutdownDelayMs: settings.SHUTDOWN_DELAY_MS,
    middleware,
    routes,
    guards: rateLimits ? [rateLimits.guard] : [],
    ...(responseCache.answers ? { answers: responseCache.answers } : {}),
    // A request with a bad token is answered 401 here, before anything runs.
    context: async (req, requestId) => {
      const { viewer, ...caller } = await callerOf(req);
      const clientGone = clientDisconnects.signalOf(req);
      return { requestId, logger: logger.child({ requestId, userId: viewer?.userId }), viewer, caller, clientGone };
    },
    readiness,
  });

  return {
    /** Loads the supergraph and starts listening; port 0 picks a free port. */
    async listen(port = settings.PORT, host = settings.HOST): Promise<RunningHttpServer> {
      await apollo.start();
      const running = await http.listen(port, host);
      // Sandbox, the landing page at /graphql, needs Apollo's CDN; the offline IDE does not.
      if (graphiql) logger.info({ url: new URL(graphiqlPath, running.url).href }, "GraphiQL (offline GraphQL IDE) ready");
      return running;
    },
    readiness,
  };
}
