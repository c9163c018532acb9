import type { GraphQLDataSource } from "@apollo/gateway";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { CALL_BUDGET_HEADER, type Logger, REQUEST_ID_HEADER } from "@storefront/service";
import { trace, traceHeaders } from "@storefront/telemetry";
import { restrictCachePolicy } from "../response-cache-policy.ts";
import { type BreakerState, type CallOutcome, createSubgraphClient, type SubgraphClient, type SubgraphClientEvents } from "./client.ts";
import { createCallSharing, isQueryOperation, type SharedOutcome } from "./dedupe.ts";
import { type SubgraphFailure, unavailableErrors } from "./unavailable.ts";

/** What a subgraph call needs of the router's request context (RouterContext has it). */
export interface SubgraphCallContext {
  readonly requestId: string;
  /** Carries the request id. */
  readonly logger: Logger;
  readonly caller: { readonly authorization: string | null; readonly forwardedFor: string };
  /** Aborted when the client's connection closes before its answer was sent. */
  readonly clientGone: AbortSignal;
}

export interface SubgraphTrafficSettings {
  readonly SUBGRAPH_TIMEOUT_MS: number;
  readonly SUBGRAPH_TIMEOUTS: Partial<Record<string, number>>;
  readonly SUBGRAPH_MAX_CONNECTIONS: number;
  readonly SUBGRAPH_BREAKER_FAILURES: number;
  readonly SUBGRAPH_BREAKER_COOLDOWN_MS: number;
  readonly SUBGRAPH_DEDUPLICATE_QUERIES: boolean;
}

/**
 * Every header of a call to a subgraph, set here and nowhere else (tracing adds `traceparent` here): the request id,
 * the client's own Authorization (each subgraph verifies the token again: defense in depth) and the client's address
 * in X-Forwarded-For. Without a request context (schema loads, health checks) only the gateway's own headers go.
 */
export function subgraphRequestHeaders(
  context: SubgraphCallContext | undefined,
  gatewayHeaders?: Iterable<[string, string]>,
): Record<string, string> {
  // `traceparent` of the gateway's fetch span: the subgraph's server span continues the client's trace
  const headers: Record<string, string> = { "content-type": "application/json", ...traceHeaders() };
  if (gatewayHeaders) for (const [name, value] of gatewayHeaders) headers[name.toLowerCase()] = value;
  if (!context) return headers;
  headers[REQUEST_ID_HEADER] = context.requestId;
  if (context.caller.authorization) headers.authorization = context.caller.authorization;
  headers["x-forwarded-for"] = context.caller.forwardedFor;
  return headers;
}

/**
 * @apollo/gateway's data source for one subgraph, over our client. A failed call never throws: it answers with
 * SERVICE_UNAVAILABLE errors at the fields the subgraph would have filled, so the gateway nulls just those fields,
 * places the errors at their paths in the client's response, and sends the rest of the answer.
 */
function createSubgraphDataSource(client: SubgraphClient, sharing: QuerySharing | null): GraphQLDataSource {
  return {
    async process(options): Promise<GatewayGraphQLResponse> {
      const { request } = options;
      if (!request.query) throw new Error(`no operation to send to the ${client.name} subgraph`);
      const context = "incomingRequestContext" in options ? (options.context as SubgraphCallContext) : undefined;
      const { query, operationName, variables, extensions } = request;
      const body = JSON.stringify({ query, operationName, variables, extensions });
      const headers = subgraphRequestHeaders(context, request.http?.headers);
      // The subgraph keeps its own calls to other subgraphs inside this call's deadline, so a failure deeper down is
      // reported by the subgraph that saw it instead of as this call's timeout.
      headers[CALL_BUDGET_HEADER] = String(client.timeoutMs);
      let outcome: CallOutcome;
      let joined: string | undefined;
      // Gateway headers (per-request traces for usage reporting) make an answer the caller's own: never shared.
      if (sharing && context && isQueryOperation(query) && !request.http?.headers.keys().next().value) {
        ({ outcome, joined } = await sharing.send(client, body, headers, context));
      } else {
        outcome = await client.send({ body, headers, clientGone: context?.clientGone });
        if (sharing && !isQueryOperation(query)) sharing.wrote();
      }
      // As RemoteGraphQLDataSource does: each subgraph's Cache-Control narrows what the client's answer may be cached for.
      if ("incomingRequestContext" in options) restrictCachePolicy(options.incomingRequestContext.overallCachePolicy, outcome);
      if (outcome.kind === "answered") return outcome.response;
      // Schema loads and health checks have no client response to put errors in.
      if (!context)
        throw new Error(`the ${client.name} subgraph did not answer: ${outcome.kind === "failed" ? outcome.failure.detail : "cancelled"}`);

      const durationMs = Math.round(outcome.durationMs);
      let failure: SubgraphFailure;
      if (outcome.kind === "failed") {
        failure = outcome.failure;
        const { reason, detail, status } = failure;
        context.logger.warn({ subgraph: client.name, reason, durationMs, detail, status, operationName, joined }, "subgraph call failed");
      } else {
        failure = { reason: "cancelled", service: client.name, detail: "the client closed its connection" };
        context.logger.debug({ subgraph: client.name, durationMs, operationName }, "subgraph call cancelled: the client went away");
      }
      return { errors: unavailableErrors({ query, variables }, failure) };
    },
  };
}

/**
 * Sharing of identical subgraph queries in flight (see dedupe.ts) across every subgraph of the router. The key is
 * the subgraph, the whole request body (operation text, operation name, variables) and the caller's Authorization:
 * callers share an answer only when they are the same identity asking the same thing, never across users' tokens.
 * X-Forwarded-For is not part of it: subgraphs use the client's address only for sign-in and sign-up throttling,
 * which are mutations, and mutations are never shared. The shared call carries the first caller's request id and
 * trace context; every joiner logs and traces the call it joined.
 *
 * Read-your-writes: every mutation this router sends starts a new generation, part of the key, so a query sent after
 * a client's mutation has been answered never joins a call that started before it. (Another router process — another
 * worker or replica — has calls of its own: across them a query may at most join a call that started one subgraph
 * round trip earlier, as if the client had asked a moment sooner.)
 */
function createQuerySharing() {
  const calls = createCallSharing();
  let generation = 0;
  return {
    async send(
      client: SubgraphClient,
      body: string,
      headers: Record<string, string>,
      context: SubgraphCallContext,
    ): Promise<SharedOutcome> {
      const key = `${client.name}\n${generation}\n${context.caller.authorization ?? ""}\n${body}`;
      const joining = (leader: string) => {
        trace.getActiveSpan()?.setAttributes({ "subgraph.call.joined_request_id": leader });
        context.logger.debug({ subgraph: client.name, joined: leader }, "joined an identical subgraph call in flight");
      };
      return calls.share(key, { requestId: context.requestId, clientGone: context.clientGone, joining }, (cancelled) =>
        client.send({ body, headers, clientGone: cancelled }),
      );
    },
    /** A mutation went to a subgraph: queries from now on share no call that started before it. */
    wrote(): void {
      generation++;
    },
  };
}

type QuerySharing = ReturnType<typeof createQuerySharing>;

export interface SubgraphTrafficOptions {
  readonly settings: SubgraphTrafficSettings;
  readonly logger: Logger;
  /** Metrics and tracing hooks: every call's outcome and duration, every breaker state change. */
  readonly events?: SubgraphClientEvents;
}

/**
 * The router's traffic to its subgraphs: one client per subgraph (connection pool, timeout, circuit breaker), kept
 * across supergraph reloads so a reload neither drops connections nor forgets that a subgraph is down.
 */
export function createSubgraphTraffic({ settings, logger, events }: SubgraphTrafficOptions) {
  const clients = new Map<string, { readonly url: string; readonly client: SubgraphClient }>();
  const sharing = settings.SUBGRAPH_DEDUPLICATE_QUERIES ? createQuerySharing() : null;

  function clientFor(name: string, url: string): SubgraphClient {
    const kept = clients.get(name);
    if (kept?.url === url) return kept.client;
    // A subgraph that moved: its old connections close once their calls are done.
    kept?.client
      .close()
      .catch((error: unknown) => logger.warn({ err: error, subgraph: name }, "closing a subgraph's old connections failed"));
    const client = createSubgraphClient({
      name,
      url,
      timeoutMs: settings.SUBGRAPH_TIMEOUTS[name] ?? settings.SUBGRAPH_TIMEOUT_MS,
      maxConnections: settings.SUBGRAPH_MAX_CONNECTIONS,
      breakerFailures: settings.SUBGRAPH_BREAKER_FAILURES,
      breakerCooldownMs: settings.SUBGRAPH_BREAKER_COOLDOWN_MS,
      logger,
      events,
    });
    clients.set(name, { url, client });
    return client;
  }

  return {
    /** @apollo/gateway's `buildService`: the data source of the subgraph `name` at `url`. */
    dataSourceFor: (name: string, url: string): GraphQLDataSource => createSubgraphDataSource(clientFor(name, url), sharing),
    /** Each subgraph's circuit breaker state. */
    breakerStates: (): Record<string, BreakerState> =>
      Object.fromEntries([...clients].map(([name, { client }]) => [name, client.breakerState()])),
    /** Lets calls in flight finish, then closes every subgraph connection. */
    async close(): Promise<void> {
      const closing = [...clients.values()].map(({ client }) => client.close());
      clients.clear();
      await Promise.all(closing);
    },
  };
}

export type SubgraphTraffic = ReturnType<typeof createSubgraphTraffic>;
