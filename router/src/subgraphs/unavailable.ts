import { ErrorCode } from "@storefront/errors";
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  Kind,
  OperationTypeNode,
  parse,
  type SelectionSetNode,
} from "graphql";

/** Why a subgraph call gave no answer; `extensions.reason` of the client's error. */
export type FailureReason =
  /** No whole answer within the subgraph's timeout. */
  | "timeout"
  /** No connection could be made: nothing was sent. */
  | "unreachable"
  /** The connection broke after the request was sent, before the whole answer came. */
  | "connection_lost"
  /** An answer that is not a GraphQL response: a non-2xx status or a body that is not a JSON object. */
  | "bad_response"
  /** The circuit breaker is open (or a trial call is under way): the subgraph was not called. */
  | "circuit_open"
  /** The client closed its connection; nobody will read this answer. */
  | "cancelled";

export interface SubgraphFailure {
  readonly reason: FailureReason;
  /** The subgraph's name in the supergraph. */
  readonly service: string;
  /** For the log: the timeout, the HTTP status, the network error. */
  readonly detail: string;
  /** The HTTP status of a bad_response, when there was one. */
  readonly status?: number;
  /** For circuit_open: when the next trial call may go through. */
  readonly retryAfterSeconds?: number;
}

/** What a subgraph operation would have filled: the root fields, or each entity type's fields under `_entities`. */
interface FetchShape {
  readonly mutation: boolean;
  readonly rootFields: readonly string[];
  /** Response names per entity type (key "" for fields selected on every type); null for a root fetch. */
  readonly entityFields: ReadonlyMap<string, readonly string[]> | null;
}

/** Response names selected directly in `selectionSet` (through fragments), per type condition ("" = any type). */
function responseNamesByType(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  typeCondition = "",
  into = new Map<string, string[]>(),
): Map<string, string[]> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.alias?.value ?? selection.name.value;
      // Meta fields (__typename) are filled by the router itself, never missing.
      if (name.startsWith("__")) continue;
      const names = into.get(typeCondition) ?? [];
      if (!names.includes(name)) names.push(name);
      into.set(typeCondition, names);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      responseNamesByType(selection.selectionSet, fragments, selection.typeCondition?.name.value ?? typeCondition, into);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment) responseNamesByType(fragment.selectionSet, fragments, fragment.typeCondition.name.value, into);
    }
  }
  return into;
}

function shapeOf(document: DocumentNode): FetchShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) return { mutation: false, rootFields: [], entityFields: null };
  const mutation = operation.operation === OperationTypeNode.MUTATION;
  const entities = operation.selectionSet.selections.find(
    (selection) => selection.kind === Kind.FIELD && selection.name.value === "_entities" && selection.selectionSet,
  );
  if (entities?.kind === Kind.FIELD && entities.selectionSet) {
    return { mutation, rootFields: [], entityFields: responseNamesByType(entities.selectionSet, fragments) };
  }
  return { mutation, rootFields: responseNamesByType(operation.selectionSet, fragments).get("") ?? [], entityFields: null };
}

// The gateway sends the same few operation texts (its query plans are cached), so their shapes are too.
const shapes = new Map<string, FetchShape>();
const MAX_SHAPES = 2_000;

function cachedShapeOf(query: string): FetchShape {
  let shape = shapes.get(query);
  if (!shape) {
    shape = shapeOf(parse(query, { noLocation: true }));
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(query, shape);
  }
  return shape;
}

function messageOf(failure: SubgraphFailure, mutation: boolean): string {
  const { service } = failure;
  // Whether a change was made matters more to whoever called a mutation than anything else we can say.
  const changed = mutation ? " Whether the change was made is unknown: check before trying it again." : " Retrying later may work.";
  const unchanged = mutation ? " Nothing was changed." : "";
  switch (failure.reason) {
    case "timeout":
      return `The ${service} service did not answer in time, so this part of the answer is missing.${changed}`;
    case "unreachable":
      return `The ${service} service cannot be reached right now, so this part of the answer is missing.${unchanged} Retrying later may work.`;
    case "connection_lost":
      return `The connection to the ${service} service broke before it answered, so this part of the answer is missing.${changed}`;
    case "bad_response":
      return `The ${service} service gave an answer that could not be used, so this part of the answer is missing.${changed}`;
    case "circuit_open": {
      const seconds = failure.retryAfterSeconds ?? 1;
      return `The ${service} service is failing, so it is not being called for now and this part of the answer is missing.${unchanged} Retry in ${seconds} second${seconds === 1 ? "" : "s"}.`;
    }
    case "cancelled":
      return `The request was cancelled because the client closed its connection before the ${service} service answered.`;
  }
}

export interface FailedFetch {
  /** The operation text the gateway sent (or meant to send) to the subgraph. */
  readonly query: string;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The errors that stand for a subgraph's missing answer: SERVICE_UNAVAILABLE, naming the service, one at each field it
 * would have filled. Paths are in the subgraph's own response (`_entities.3.inStock`, `products`); the gateway turns
 * them into paths of the client's response (`products.edges.3.node.inStock`), as it does for a subgraph's own errors.
 */
export function unavailableErrors(fetch: FailedFetch, failure: SubgraphFailure): GraphQLFormattedError[] {
  const shape = cachedShapeOf(fetch.query);
  const extensions: Record<string, unknown> = { service: failure.service, reason: failure.reason };
  if (failure.retryAfterSeconds !== undefined) extensions.retryAfterSeconds = failure.retryAfterSeconds;
  // Built through the registry, so the code is the one clients are promised (and production masking lets pass).
  const error = ErrorCode.SERVICE_UNAVAILABLE.err(messageOf(failure, shape.mutation), { extensions }).toJSON();
  const at = (path: ReadonlyArray<string | number>): GraphQLFormattedError => ({
    message: error.message,
    path,
    extensions: error.extensions,
  });

  if (!shape.entityFields) return shape.rootFields.length ? shape.rootFields.map((name) => at([name])) : [error];
  const representations = fetch.variables?.representations;
  if (!Array.isArray(representations)) return [error];
  const anyType = shape.entityFields.get("") ?? [];
  return representations.flatMap((representation: unknown, index) => {
    const typename = (representation as { __typename?: unknown } | null)?.__typename;
    const fields = [...anyType, ...(typeof typename === "string" ? (shape.entityFields?.get(typename) ?? []) : [])];
    // An entity whose selected fields are all meta fields: the error points at the entity itself.
    return fields.length ? fields.map((name) => at(["_entities", index, name])) : [at(["_entities", index])];
  });
}
