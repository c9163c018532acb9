import { ErrorCode } from "@storefront/errors";
import { traceHeaders } from "@storefront/telemetry";
import { GraphQLError } from "graphql";
import { REQUEST_ID_HEADER } from "./context.ts";

export interface SubgraphClientOptions {
  /** The other subgraph's GraphQL URL (subgraphs talk to each other directly, not through the router). */
  readonly url: string;
  readonly timeoutMs?: number;
  /** A bearer token for each request (a service token), when the other subgraph wants one. */
  readonly token?: () => Promise<string>;
  /** What the other subgraph is, in error messages: "the inventory". */
  readonly label?: string;
}

/** Options of createEntitiesClient: those of createSubgraphClient. */
export type EntitiesClientOptions = SubgraphClientOptions;

/**
 * Sends GraphQL operations to another subgraph. A network failure, a timeout, a non-200 answer or any GraphQL error
 * becomes SERVICE_UNAVAILABLE for the caller's client (the details stay in `cause`, for the logs).
 */
export function createSubgraphClient({ url, timeoutMs = 5_000, token, label = "a part of the shop" }: SubgraphClientOptions) {
  return async function request<Data>(query: string, variables: Record<string, unknown>, requestId?: string): Promise<Data> {
    let response: Response;
    try {
      // the other subgraph's span continues this request's trace
      const headers: Record<string, string> = { "content-type": "application/json", ...traceHeaders() };
      if (requestId) headers[REQUEST_ID_HEADER] = requestId;
      if (token) headers.authorization = `Bearer ${await token()}`;
      response = await fetch(url, {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof GraphQLError) throw error; // the token source's own, already meant for the client
      throw ErrorCode.SERVICE_UNAVAILABLE.err(`Could not reach ${label}; try again shortly.`, { cause: error });
    }
    const body = (await response.json().catch(() => ({}))) as { data?: Data | null; errors?: unknown[] };
    if (!response.ok || !body.data || body.errors?.length) {
      throw ErrorCode.SERVICE_UNAVAILABLE.err(`${label[0]?.toUpperCase()}${label.slice(1)} failed to answer; try again shortly.`, {
        cause: new Error(`${url}: HTTP ${response.status}: ${JSON.stringify(body.errors ?? body)}`),
      });
    }
    return body.data;
  };
}

export type SubgraphRequest = ReturnType<typeof createSubgraphClient>;

/**
 * Looks entities up in another subgraph through its federation `_entities` field, the same
 * query the router sends. One HTTP request for any number of keys; null for unknown ones.
 */
export function createEntitiesClient(options: SubgraphClientOptions) {
  return async function fetchEntities<Entity>(
    typename: string,
    representations: readonly Record<string, unknown>[],
    selection: string,
    requestId?: string,
  ): Promise<(Entity | null)[]> {
    if (representations.length === 0) return [];
    const request = createSubgraphClient({ label: `the service that knows ${typename}s`, ...options });
    const query = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${typename} { ${selection} } } }`;
    const data = await request<{ _entities?: (Entity | null)[] }>(
      query,
      { representations: representations.map((r) => ({ __typename: typename, ...r })) },
      requestId,
    );
    if (!data._entities)
      throw ErrorCode.SERVICE_UNAVAILABLE.err(`The service that knows ${typename}s failed to answer; try again shortly.`);
    return data._entities;
  };
}

export type FetchEntities = ReturnType<typeof createEntitiesClient>;
