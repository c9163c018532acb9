import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import {
  type BaseContext,
  createGraphQLHttpServer,
  type Logger,
  maskUnexpectedErrors,
  REQUEST_ID_HEADER,
  type ReadinessReport,
  type RunningHttpServer,
} from "@storefront/service";
import { subgraphsOf, supergraphFromFile } from "./supergraph.ts";

export interface RouterConfig {
  readonly supergraphPath: string;
  /** Subgraph URL per subgraph name, overriding the supergraph's routing URLs. */
  readonly subgraphUrls: Record<string, string>;
  readonly logger: Logger;
  readonly production: boolean;
  readonly maxBodyBytes: number;
  /** How long readiness waits for each subgraph. */
  readonly probeTimeoutMs?: number;
}

export type RouterContext = BaseContext;

/** Forwards the request id to every subgraph so one id follows a request through the graph. */
class SubgraphDataSource extends RemoteGraphQLDataSource<RouterContext> {
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<RouterContext>["willSendRequest"]>>[0]) {
    if (context.requestId) request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
  }
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

/** The router: the composed supergraph over HTTP, with Sandbox in development, /health and /ready. */
export function createRouter(config: RouterConfig) {
  const { logger } = config;
  const supergraph = supergraphFromFile(config.supergraphPath, logger);
  const urlOf = (name: string, url: string) => config.subgraphUrls[name] ?? url;

  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.hook,
    buildService: ({ name, url }) => new SubgraphDataSource({ url: urlOf(name, url ?? "") }),
    logger,
  });

  const apollo = new ApolloServer<RouterContext>({
    gateway,
    logger,
    includeStacktraceInErrorResponses: !config.production,
    formatError: maskUnexpectedErrors(config.production),
    plugins: [
      config.production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
    ],
  });

  async function readiness(): Promise<ReadinessReport> {
    const sdl = supergraph.current();
    if (!sdl) return { ready: false, checks: { supergraph: { ok: false, detail: "not loaded" } } };
    const subgraphs = subgraphsOf(sdl);
    const probes = await Promise.all(subgraphs.map(({ name, url }) => probeSubgraph(urlOf(name, url), config.probeTimeoutMs ?? 2_000)));
    const checks: ReadinessReport["checks"] = { supergraph: { ok: true } };
    subgraphs.forEach(({ name }, i) => {
      checks[name] = probes[i] ?? { ok: false };
    });
    return { ready: Object.values(checks).every((check) => check.ok), checks };
  }

  const http = createGraphQLHttpServer<RouterContext>({
    apollo,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    context: async (_req, requestId) => ({ requestId, logger: logger.child({ requestId }), viewer: null }),
    readiness,
  });

  return {
    /** Loads the supergraph and starts listening; port 0 picks a free port. */
    async listen(port: number, host = "127.0.0.1"): Promise<RunningHttpServer> {
      await apollo.start();
      return http.listen(port, host);
    },
    readiness,
  };
}
