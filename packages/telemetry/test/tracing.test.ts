import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import {
  context,
  contextFromHeaders,
  flushTraces,
  recordSpansInMemory,
  setUpTracing,
  trace,
  traceHeaders,
  tracerFor,
} from "../src/index.ts";

interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: { traceId: string; spanId: string; parentSpanId?: string; name: string }[] }[];
  }[];
}

/** An OTLP/HTTP JSON receiver on loopback, as a collector would be: what it was sent, by path. */
async function startCollector() {
  const received: { path: string; body: OtlpExport }[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ path: req.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpExport });
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const serviceOf = (resource: OtlpExport["resourceSpans"][number]["resource"]) =>
  resource.attributes.find((attribute) => attribute.key === "service.name")?.value.stringValue;

describe("tracing", () => {
  const collectors: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const collector of collectors) await collector.close();
  });

  // the order matters: tracing is set up once per process, and an endpoint, once added, stays
  it("records nothing while no endpoint is set, yet every span has ids that travel in traceparent", () => {
    setUpTracing({ component: "orders" });
    const span = tracerFor("orders").startSpan("checkout");
    assert.equal(span.isRecording(), false, "nowhere to send it: not recorded");
    const { traceId, spanId } = span.spanContext();
    assert.match(traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(traceId, "0".repeat(32));
    assert.deepEqual(traceHeaders(trace.setSpan(context.active(), span)), { traceparent: `00-${traceId}-${spanId}-00` });
    span.end();
  });

  it("continues the trace a traceparent header names", () => {
    const recorder = recordSpansInMemory();
    const traceId = randomBytes(16).toString("hex");
    const parentId = randomBytes(8).toString("hex");
    const parent = contextFromHeaders({ traceparent: `00-${traceId}-${parentId}-01` });
    tracerFor("payments").startSpan("payOrder", {}, parent).end();
    const [span] = recorder.spans();
    assert.equal(span?.spanContext().traceId, traceId);
    assert.equal(span?.parentSpanContext?.spanId, parentId);
    assert.equal(span?.resource.attributes["service.name"], "payments");
    return recorder.stop();
  });

  it("sends spans to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces over OTLP/HTTP, each under its component's service name", async () => {
    const collector = await startCollector();
    collectors.push(collector);
    setUpTracing({ component: "orders", otlpEndpoint: `${collector.url}/` });
    const tracer = tracerFor("orders");
    const parent = tracer.startSpan("POST /graphql");
    const child = tracerFor("inventory").startSpan("process storefront.orders", {}, trace.setSpan(context.active(), parent));
    child.end();
    parent.end();
    await flushTraces();
    assert.deepEqual(
      collector.received.map((request) => request.path),
      ["/v1/traces"],
    );
    const sent = collector.received.flatMap(({ body }) =>
      body.resourceSpans.flatMap(({ resource, scopeSpans }) =>
        scopeSpans.flatMap(({ spans }) => spans.map((span) => ({ service: serviceOf(resource), ...span }))),
      ),
    );
    const traceId = parent.spanContext().traceId;
    assert.deepEqual(
      sent
        .map(({ service, name, traceId: id, parentSpanId }) => ({
          service,
          name,
          sameTrace: id === traceId,
          parentSpanId: parentSpanId ?? null,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      [
        { service: "orders", name: "POST /graphql", sameTrace: true, parentSpanId: null },
        { service: "inventory", name: "process storefront.orders", sameTrace: true, parentSpanId: parent.spanContext().spanId },
      ],
    );
  });
});
