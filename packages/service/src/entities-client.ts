import { ErrorCode } from "@storefront/errors";
import { REQUEST_ID_HEADER } from "./context.ts";

export interface EntitiesClientOptions {
  /** The other subgraph's GraphQL URL (subgraphs talk to each other directly, not through the router). */
  readonly url: string;
  readonly timeoutMs?: number;
}

/**
 * Looks entities up in another subgraph through its federation `_entities` field, the same
 * query the router sends. One HTTP request for any number of keys; null for unknown ones.
 */
export function createEntitiesClient({ url, timeoutMs = 5_000 }: EntitiesClientOptions) {
  return async function fetchEntities<Entity>(
    typename: string,
    representations: readonly Record<string, unknown>[],
    selection: string,
    requestId?: string,
  ): Promise<(Entity | null)[]> {
    if (representations.length === 0) return [];
    const query = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${typename} { ${selection} } } }`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}) },
        body: JSON.stringify({ query, variables: { representations: representations.map((r) => ({ __typename: typename, ...r })) } }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw ErrorCode.SERVICE_UNAVAILABLE.err(`Could not reach the service that knows ${typename}s; try again shortly.`, { cause: error });
    }
    const body = (await response.json().catch(() => ({}))) as { data?: { _entities?: (Entity | null)[] }; errors?: { message: string }[] };
    const entities = body.data?._entities;
    if (!response.ok || !entities || body.errors?.length) {
      throw ErrorCode.SERVICE_UNAVAILABLE.err(`The service that knows ${typename}s failed to answer; try again shortly.`, {
        cause: new Error(`HTTP ${response.status}: ${JSON.stringify(body.errors ?? body)}`),
      });
    }
    return entities;
  };
}

export type FetchEntities = ReturnType<typeof createEntitiesClient>;
