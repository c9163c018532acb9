import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BaseContext as ApolloBaseContext, ApolloServerPlugin } from "@apollo/server";
import {
  context,
  contextFromHeaders,
  OPERATION_LABELS,
  observeGraphQLRequest,
  operationLabel,
  outcomeLabel,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  tracerFor,
} from "@storefront/telemetry";
import { REQUEST_ID_HEADER } from "./context.ts";

/** What one GraphQL request turned out to be, filled in while it runs and counted when its response ends. */
interface RequestRecord {
  readonly span: Span;
  /** `(none)` until Apollo takes the request, `(invalid)` until its operation resolves, then the operation's label. */
  operation: string;
  /** The operation's type and name once it resolves. */
  resolved?: ObservedOperation;
  outcome?: string;
}

/** What the metrics and the span learnt of a request's operation: enough to count an answer to it again. */
export interface ObservedOperation {
  readonly type: string;
  readonly name: string | null;
  readonly label: string;
}

/** Label of a request Apollo never ran an operation for (the Sandbox page, a refusal before Apollo). */
const NO_OPERATION = "(none)";

const requests = new AsyncLocalStorage<RequestRecord>();

/**
 * Runs one GraphQL HTTP request inside a SERVER span that continues the caller's `traceparent` (a client's, the
 * router's or another subgraph's), and counts it in graphql_requests_total / graphql_request_duration_seconds once
 * its response has ended. `path` is the request's pathname (parsed once by the caller).
 */
export function observeGraphQLHttpRequest(
  service: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  handle: () => Promise<void>,
): Promise<void> {
  const started = performance.now();
  const parent = contextFromHeaders(req.headers);
  const span = tracerFor(service).startSpan(
    `${req.method ?? "GET"} ${path}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": req.method ?? "GET",
        "url.path": path,
        "http.route": path,
        ...(req.headers["user-agent"] ? { "user_agent.original": req.headers["user-agent"] } : {}),
      },
    },
    parent,
  );
  const record: RequestRecord = { span, operation: NO_OPERATION };
  res.once("close", () => {
    const status = res.statusCode;
    const outcome = record.outcome ?? (status < 400 ? "ok" : `HTTP_${status}`);
    observeGraphQLRequest({ service, operation: record.operation, outcome, status, seconds: (performance.now() - started) / 1_000 });
    const requestId = res.getHeader(REQUEST_ID_HEADER);
    span.setAttributes({
      "http.response.status_code": status,
      "storefront.outcome": outcome,
      ...(typeof requestId === "string" ? { "storefront.request_id": requestId } : {}),
    });
    // a client's mistake (4xx, a GraphQL error code) is the client's; only the server failing marks the span
    if (status >= 500 || outcome === "INTERNAL_SERVER_ERROR") span.setStatus({ code: SpanStatusCode.ERROR });
    if (!res.writableFinished) span.addEvent("connection closed before the response was sent");
    span.end();
  });
  return requests.run(record, () => context.with(trace.setSpan(parent, span), handle));
}

/** Notes the error code a request was answered with before Apollo saw it (body too large, a guard's refusal). */
export function noteRefusal(code: string): void {
  const record = requests.getStore();
  if (record && record.outcome === undefined) record.outcome = outcomeLabel(code);
}

function noteOperation(record: RequestRecord, operation: ObservedOperation): void {
  record.operation = operation.label;
  record.resolved = operation;
  record.span.updateName(`${operation.type} ${operation.label}`);
  record.span.setAttributes({
    "graphql.operation.type": operation.type,
    ...(operation.name ? { "graphql.operation.name": operation.name.slice(0, 200) } : {}),
  });
}

/** The operation the current request ran, as Apollo resolved it; undefined before (or without) that. */
export function observedOperation(): ObservedOperation | undefined {
  return requests.getStore()?.resolved;
}

/** Counts the current request as an answer to `operation` that Apollo did not run (one kept from an earlier answer). */
export function noteAnsweredWithout(operation: ObservedOperation | undefined): void {
  const record = requests.getStore();
  if (!record) return;
  if (operation) noteOperation(record, operation);
  record.outcome = "ok";
}

/** Tells the request's record and span which operation ran and how it ended. */
export function requestObservationPlugin<Context extends ApolloBaseContext>(service: string): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const record = requests.getStore();
      if (!record) return;
      record.operation = OPERATION_LABELS.invalid;
      return {
        // only valid operations name a label: a name in a request that fails validation is anyone's string
        async didResolveOperation({ operation, operationName }) {
          const name = operation?.name?.value ?? operationName ?? null;
          noteOperation(record, { type: operation?.operation ?? "query", name, label: operationLabel(service, name) });
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === "single" ? response.body.singleResult.errors : response.body.initialResult.errors;
          record.outcome = errors?.length ? outcomeLabel(errors[0]?.extensions?.code) : "ok";
        },
      };
    },
  };
}
