import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingHttpHeaders } from "node:http";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { ErrorCode } from "@storefront/errors";
import { traceHeaders } from "@storefront/telemetry";
import { type DocumentNode, GraphQLError, Kind, print } from "graphql";
import { REQUEST_ID_HEADER } from "./context.ts";

export interface SubgraphClientOptions {
  /** The other subgraph's name (`catalog`): what a failure names in `extensions.service`. */
  readonly service: string;
  /** The other subgraph's GraphQL URL (subgraphs talk to each other directly, not through the router). */
  readonly url: string;
  readonly timeoutMs?: number;
  /** A bearer token for each request (a service token), when the other subgraph wants one. */
  readonly token?: () => Promise<string>;
  /** What the other subgraph is, in error messages; default: "the <service> service". */
  readonly label?: string;
}

/** Options of createEntitiesClient: those of createSubgraphClient. */
export type EntitiesClientOptions = SubgraphClientOptions;

/**
 * How long the caller of this request waits for its answer, in ms: sent with every call between subgraphs, so a called
 * subgraph gives up on its own calls before its caller gives up on it, and answers with the error that names the
 * service that really failed (the way gRPC propagates deadlines).
 */
export const CALL_BUDGET_HEADER = "x-storefront-call-budget-ms";

// The deadline (performance.now() time) of the request this code runs for, when its caller sent a budget.
const callerDeadlines = new AsyncLocalStorage<number>();

/** Runs the handling of an incoming request under its caller's budget (CALL_BUDGET_HEADER), when it sent one. */
export function withCallerBudget<T>(headers: IncomingHttpHeaders, handle: () => T): T {
  const sent = Number(headers[CALL_BUDGET_HEADER]);
  if (!Number.isInteger(sent) || sent <= 0) return handle();
  return callerDeadlines.run(performance.now() + Math.min(sent, 600_000), handle);
}

/**
 * This call's timeout: its own, but short enough to leave the caller's caller time to receive our error (a fifth of
 * what is left, between 100 ms and 1 s), never below 100 ms.
 */
function timeoutWithinBudget(timeoutMs: number): number {
  const deadline = callerDeadlines.getStore();
  if (deadline === undefined) return timeoutMs;
  const left = deadline - performance.now();
  const margin = Math.min(1_000, Math.max(100, left / 5));
  return Math.max(100, Math.min(timeoutMs, Math.floor(left - margin)));
}

type FailureExtensions = { service: string; reason?: string };

/**
 * The service a failed answer blames: when the called subgraph failed because one of its own calls failed (cart
 * answering an error because catalog was frozen), the SERVICE_UNAVAILABLE it answered names that service; else it is
 * the called subgraph itself.
 */
function failureOf(errors: unknown[] | undefined, called: string): FailureExtensions {
  for (const error of errors ?? []) {
    const extensions = (error as { extensions?: Record<string, unknown> } | null)?.extensions;
    if (extensions?.code === ErrorCode.SERVICE_UNAVAILABLE.code && typeof extensions.service === "string") {
      return typeof extensions.reason === "string"
        ? { service: extensions.service, reason: extensions.reason }
        : { service: extensions.service };
    }
  }
  return { service: called };
}

// Each document is a module constant: printed once, for every call.
const printed = new WeakMap<DocumentNode, string>();
function textOf(document: DocumentNode): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

/**
 * Sends GraphQL operations to another subgraph: TypedDocumentNodes that GraphQL Code Generator compiles from the
 * caller's src/clients/<subgraph>.graphql against that subgraph's schema (codegen.ts), so the variables and the answer
 * are typed and a field the other subgraph renames fails the type check. A network failure, a timeout, a non-200 answer or any GraphQL error
 * becomes SERVICE_UNAVAILABLE for the caller's client, naming the service that failed in `extensions.service` (and why
 * in `extensions.reason` when known: timeout, unreachable, bad_response); the details stay in `cause`, for the logs.
 */
export function createSubgraphClient({ service, url, timeoutMs = 5_000, token, label = `the ${service} service` }: SubgraphClientOptions) {
  return async function request<Data, Variables extends Record<string, unknown>>(
    document: TypedDocumentNode<Data, Variables>,
    variables: Variables,
    requestId?: string,
  ): Promise<Data> {
    let response: Response;
    const timeout = timeoutWithinBudget(timeoutMs);
    try {
      // the other subgraph's span continues this request's trace
      const headers: Record<string, string> = { "content-type": "application/json", ...traceHeaders() };
      if (requestId) headers[REQUEST_ID_HEADER] = requestId;
      headers[CALL_BUDGET_HEADER] = String(timeout);
      if (token) headers.authorization = `Bearer ${await token()}`;
      response = await fetch(url, {
        method: "POST",
        headers,
        body: JSON.stringify({ query: textOf(document), variables }),
        signal: AbortSignal.timeout(timeout),
      });
    } catch (error) {
      if (error instanceof GraphQLError) throw error; // the token source's own, already meant for the client
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      throw ErrorCode.SERVICE_UNAVAILABLE.err(
        timedOut ? `${capitalised(label)} did not answer in time; try again shortly.` : `Could not reach ${label}; try again shortly.`,
        { cause: error, extensions: { service, reason: timedOut ? "timeout" : "unreachable" } },
      );
    }
    const body = (await response.json().catch(() => ({}))) as { data?: Data | null; errors?: unknown[] };
    if (!response.ok || !body.data || body.errors?.length) {
      const failure = body.errors?.length ? failureOf(body.errors, service) : { service, reason: "bad_response" };
      const blamed = failure.service === service ? label : `the ${failure.service} service (behind ${label})`;
      throw ErrorCode.SERVICE_UNAVAILABLE.err(`${capitalised(blamed)} failed to answer; try again shortly.`, {
        cause: new Error(`${url}: HTTP ${response.status}: ${JSON.stringify(body.errors ?? body)}`),
        extensions: failure,
      });
    }
    return body.data;
  };
}

const capitalised = (text: string) => `${text[0]?.toUpperCase() ?? ""}${text.slice(1)}`;

export type SubgraphRequest = ReturnType<typeof createSubgraphClient>;

/** The variables of an `_entities` query: the representations of the entities asked for (federation's `_Any`). */
type EntitiesVariables = { representations: Array<Record<string, unknown>> | Record<string, unknown> };

/** The entity an `_entities` query selects (GraphQL Code Generator types the `_Entity` union's other members as `{}`). */
export type EntityOf<Data> = Data extends { _entities: ReadonlyArray<infer Entity> }
  ? Exclude<Entity, null | Record<PropertyKey, never>>
  : never;

// The type each `_entities` document asks for (`... on User`), found once per document.
const entityTypes = new WeakMap<DocumentNode, string>();
function entityTypeOf(document: DocumentNode): string {
  let typename = entityTypes.get(document);
  if (typename === undefined) {
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const entities = definition.selectionSet.selections.find((s) => s.kind === Kind.FIELD && s.name.value === "_entities");
      const fragment =
        entities?.kind === Kind.FIELD ? entities.selectionSet?.selections.find((s) => s.kind === Kind.INLINE_FRAGMENT) : undefined;
      typename = fragment?.kind === Kind.INLINE_FRAGMENT ? fragment.typeCondition?.name.value : undefined;
      if (typename !== undefined) break;
    }
    if (typename === undefined) throw new TypeError("an entities document selects `_entities { ... on <Type> { ... } }`");
    entityTypes.set(document, typename);
  }
  return typename;
}

/**
 * Looks entities up in another subgraph through its federation `_entities` field, the same query the router sends,
 * with a compiled document (`query X($representations: [_Any!]!) { _entities(...) { ... on User { ... } } }`) whose
 * type condition names the entity. One HTTP request for any number of keys; null for unknown ones.
 */
export function createEntitiesClient(options: SubgraphClientOptions) {
  const request = createSubgraphClient(options);
  return async function fetchEntities<Data extends { _entities: readonly unknown[] }>(
    document: TypedDocumentNode<Data, EntitiesVariables>,
    keys: readonly Record<string, unknown>[],
    requestId?: string,
  ): Promise<(EntityOf<Data> | null)[]> {
    if (keys.length === 0) return [];
    const typename = entityTypeOf(document);
    const data = await request(document, { representations: keys.map((key) => ({ __typename: typename, ...key })) }, requestId);
    if (!data._entities) {
      throw ErrorCode.SERVICE_UNAVAILABLE.err(`The ${options.service} service failed to answer; try again shortly.`, {
        extensions: { service: options.service, reason: "bad_response" },
      });
    }
    return data._entities as (EntityOf<Data> | null)[];
  };
}

export type FetchEntities = ReturnType<typeof createEntitiesClient>;
