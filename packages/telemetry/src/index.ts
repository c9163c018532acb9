// @storefront/telemetry: Prometheus metrics and OpenTelemetry tracing, the same in the router and every subgraph.
export { type Context, context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
export { joinClusterMetrics, serveClusterMetrics } from "./cluster.ts";
export { type PoolStats, watchDatabasePool } from "./database.ts";
export { type DeadLetterReason, type EventMetrics, eventMetrics, type OutboxStats, type PartitionLag } from "./events.ts";
export { sampleValue } from "./exposition.ts";
export { metricsRegistry, metricsRoute, metricsText } from "./registry.ts";
export {
  type GraphQLRequestObservation,
  MAX_OPERATION_NAME_LENGTH,
  MAX_OPERATION_NAMES,
  OPERATION_LABELS,
  observeGraphQLRequest,
  operationLabel,
  outcomeLabel,
} from "./requests.ts";
export { BREAKER_STATES, type BreakerState, type RouterMetrics, routerMetrics } from "./router.ts";
export {
  activeTraceIds,
  contextFromHeaders,
  flushTraces,
  type ReadableSpan,
  recordSpansInMemory,
  type SpanRecorder,
  setUpTracing,
  type TracingOptions,
  traceHeaders,
  tracerFor,
} from "./tracing.ts";
