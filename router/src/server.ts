import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { createAccessTokenVerifier, type VerifyAccessToken } from "@storefront/auth";
import {
  type BaseContext,
  createGraphQLHttpServer,
  type Logger,
  maskUnexpectedErrors,
  REQUEST_ID_HEADER,
  type ReadinessReport,
  type RunningHttpServer,
} from "@storefront/service";
import { enforceAuthorization, enforcingSupergraphHook } from "./authorization/gateway.ts";
import { defaultJwksUrl } from "./env.ts";
import { type Caller, identifyCaller } from "./identity.ts";
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
  /** The users subgraph's JWKS; default: /.well-known/jwks.json next to the users subgraph's URL. */
  readonly jwksUrl?: URL;
  /** Least time between two JWKS refetches for an unknown `kid` (default: the verifier's 30 s). */
  readonly jwksRefetchCooldownMs?: number;
}

/** What the router knows of a request: its id, logger and verified viewer, and what it forwards of the caller. */
export interface RouterContext extends BaseContext {
  readonly caller: Omit<Caller, "viewer">;
}

/**
 * Passes identity on to every subgraph: the request id, the client's own Authorization header (each
 * subgraph verifies the token again: defense in depth) and the client's address in X-Forwarded-For.
 */
class SubgraphDataSource extends RemoteGraphQLDataSource<RouterContext> {
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<RouterContext>["willSendRequest"]>>[0]) {
    const headers = request.http?.headers;
    // Health checks and schema loads run without a request context.
    if (!headers || !context.requestId) return;
    headers.set(REQUEST_ID_HEADER, context.requestId);
    if (context.caller.authorization) headers.set("authorization", context.caller.authorization);
    headers.set("x-forwarded-for", context.caller.forwardedFor);
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

  const verifyAccessToken: VerifyAccessToken = createAccessTokenVerifier({
    jwks: config.jwksUrl ?? defaultJwksUrl(config.subgraphUrls),
    keyRefetchCooldownMs: config.jwksRefetchCooldownMs,
  });

  const gateway = enforceAuthorization(
    new ApolloGateway({
      supergraphSdl: enforcingSupergraphHook(supergraph.hook),
      buildService: ({ name, url }) => new SubgraphDataSource({ url: urlOf(name, url ?? "") }),
      logger,
    }),
    // Apollo hands the gateway the context built below for the same request.
    { logger, viewerOf: (context) => (context as RouterContext).viewer ?? null },
  );

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
    // A request with a bad token is answered 401 here, before anything runs.
    context: async (req, requestId) => {
      const { viewer, ...caller } = await identifyCaller(req, verifyAccessToken);
      return { requestId, logger: logger.child({ requestId, userId: viewer?.userId }), viewer, caller };
    },
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
