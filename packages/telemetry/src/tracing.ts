import { type Context, context, propagation, ROOT_CONTEXT, type Tracer, type TracerProvider, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  SamplingDecision,
  SimpleSpanProcessor,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";

export type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

/** How this process traces; settings come from the environment (serviceEnv's OTEL_* and TRACE_SAMPLE_RATIO). */
export interface TracingOptions {
  /** This process's part of the shop (`router`, `orders`, …): the service.name of spans no component claims. */
  readonly component: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans are sent to `<endpoint>/v1/traces` (OTLP/HTTP JSON). Unset: no span leaves the process. */
  readonly otlpEndpoint?: string | undefined;
  /** OTEL_SERVICE_NAME: one service.name for every span of this process; default: each component's own name. */
  readonly serviceName?: string | undefined;
  /** Share of new traces recorded (a request with a traceparent follows its caller's decision). Default 1. */
  readonly sampleRatio?: number | undefined;
}

/** @apollo/gateway's tracer: its spans belong to the router, whatever else runs in the process. */
const GATEWAY_TRACER = "apollo/gateway-js";
const OUR_TRACER = "@storefront/telemetry";

// Every component's provider feeds the same processors, so a test exporter or the OTLP exporter sees all spans.
const processors = new Set<SpanProcessor>();
const pipeline: SpanProcessor = {
  onStart: (span, parent) => {
    for (const processor of processors) processor.onStart(span, parent);
  },
  onEnd: (span) => {
    for (const processor of processors) processor.onEnd(span);
  },
  forceFlush: async () => {
    await Promise.all([...processors].map((processor) => processor.forceFlush()));
  },
  shutdown: async () => {
    await Promise.all([...processors].map((processor) => processor.shutdown()));
  },
};

let rootSampler: Sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() });
/**
 * With nowhere to send spans none is recorded, but every span still gets real ids: traceparent travels on, and logs
 * carry trace ids, at the cost of generating two random ids.
 */
const sampler: Sampler = {
  shouldSample: (...args) => (processors.size === 0 ? { decision: SamplingDecision.NOT_RECORD } : rootSampler.shouldSample(...args)),
  toString: () => `RecordWhenExporting{${rootSampler.toString()}}`,
};

const providers = new Map<string, BasicTracerProvider>();
const otlpEndpoints = new Set<string>();
let installed = false;
let defaultComponent = "storefront";
let serviceNameOverride: string | undefined;

function providerFor(component: string): BasicTracerProvider {
  let provider = providers.get(component);
  if (!provider) {
    const resource = defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceNameOverride ?? component }));
    provider = new BasicTracerProvider({ resource, sampler, spanProcessors: [pipeline] });
    providers.set(component, provider);
  }
  return provider;
}

// Libraries ask the global API for tracers by their own name; each gets its component's provider.
const globalProvider: TracerProvider = {
  getTracer: (name, version, options) =>
    providerFor(name === GATEWAY_TRACER ? "router" : defaultComponent).getTracer(name, version, options),
};

/** Context in AsyncLocalStorage, W3C trace context on the wire, our providers behind the global API: once per process. */
function install(): void {
  if (installed) return;
  installed = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(globalProvider);
}

/**
 * Sets tracing up for this process; every start path calls it (the router, each subgraph) and later calls add to the
 * first: the first component named is the default, an OTLP endpoint is added once, the first service name wins.
 */
export function setUpTracing({ component, otlpEndpoint, serviceName, sampleRatio }: TracingOptions): void {
  if (!installed) defaultComponent = component;
  install();
  if (serviceName && !serviceNameOverride && providers.size === 0) serviceNameOverride = serviceName;
  if (sampleRatio !== undefined && sampleRatio < 1) {
    rootSampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) });
  }
  if (otlpEndpoint && !otlpEndpoints.has(otlpEndpoint)) {
    otlpEndpoints.add(otlpEndpoint);
    processors.add(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/+$/, "")}/v1/traces` })));
  }
}

/** The tracer of one component: its spans carry `service.name` = the component (or OTEL_SERVICE_NAME). */
export function tracerFor(component: string): Tracer {
  install();
  return providerFor(component).getTracer(OUR_TRACER);
}

/** Sends what is buffered (before a process exits). */
export async function flushTraces(): Promise<void> {
  await pipeline.forceFlush();
}

/** Spans recorded in memory (tests): every span this process ends while recording, of every component. */
export interface SpanRecorder {
  spans(): ReadableSpan[];
  stop(): Promise<void>;
}

export function recordSpansInMemory(): SpanRecorder {
  install();
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor(exporter);
  processors.add(processor);
  return {
    spans: () => exporter.getFinishedSpans(),
    async stop() {
      processors.delete(processor);
      await processor.shutdown();
    },
  };
}

/** W3C trace-context headers (`traceparent`, maybe `tracestate`) for the active span, to send with a request or message. */
export function traceHeaders(from: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  return carrier;
}

/** The trace context a request or message carries in its headers (none: the root context). */
export function contextFromHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** `traceId` and `spanId` of the active span, for log lines; empty outside any span. */
export function activeTraceIds(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return trace.isSpanContextValid(span.spanContext()) ? { traceId, spanId } : {};
}
