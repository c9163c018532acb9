// The router's /metrics and traces, over a real catalog subgraph: what an operator's Prometheus and tracing backend see.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { type CatalogPrisma, catalogSubgraph } from "@storefront/catalog";
import type { RunningHttpServer } from "@storefront/service";
import { silentLogger } from "@storefront/service";
import { type ReadableSpan, recordSpansInMemory, type SpanKind, type SpanRecorder, sampleValue } from "@storefront/telemetry";
import { graphqlRequest, startTestSubgraph, type TestSubgraph } from "@storefront/testkit";
import { parse } from "graphql";
import { createRouter, readRouterSettings } from "../src/index.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");

function catalogSupergraph(url: string): string {
  const typeDefs = parse(readFileSync(path.join(repoRoot, "subgraphs/catalog/schema.graphql"), "utf8"));
  const result = composeServices([{ name: "catalog", url, typeDefs }]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.supergraphSdl;
}

const SERVER: SpanKind = 1;

describe("router observability", () => {
  let catalog: TestSubgraph<CatalogPrisma>;
  let router: RunningHttpServer;
  let dir: string;
  let spans: SpanRecorder;
  const metricsUrl = () => router.url.replace(/\/graphql$/, "/metrics");
  const scrape = async () => {
    const response = await fetch(metricsUrl());
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  before(async () => {
    spans = recordSpansInMemory();
    catalog = await startTestSubgraph(catalogSubgraph);
    await catalog.prisma.product.create({ data: { sku: "METRICS-1", name: "Measured", priceAmount: 100, priceCurrency: "EUR" } });
    dir = mkdtempSync(path.join(tmpdir(), "router-observability-"));
    const supergraphPath = path.join(dir, "supergraph.graphql");
    writeFileSync(supergraphPath, catalogSupergraph("http://127.0.0.1:1/unused"));
    const settings = readRouterSettings({
      NODE_ENV: "test",
      SUPERGRAPH_PATH: supergraphPath,
      CATALOG_URL: catalog.url,
      MAX_DEPTH: "4",
      RATE_LIMIT_PER_ADDRESS: "25",
      // every request here must reach the catalog, to be counted there (response-cache.test.ts counts the cache's hits)
      RESPONSE_CACHE_ENABLED: "false",
    });
    router = await createRouter({ settings, logger: silentLogger() }).listen(0);
  });
  after(async () => {
    await router?.close();
    await catalog?.close();
    await spans?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves /metrics in the Prometheus text format: request, subgraph, breaker, refusal and process metrics", async () => {
    await graphqlRequest(router.url, '{ product(sku: "METRICS-1") { name } }');
    const text = await scrape();
    for (const family of [
      "graphql_requests_total",
      "graphql_request_duration_seconds",
      "router_subgraph_requests_total",
      "router_subgraph_request_duration_seconds",
      "router_circuit_breaker_state",
      "router_rejected_requests_total",
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_seconds",
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${family} `, "m"), `${family} is exposed`);
    }
    assert.equal(sampleValue(text, "router_circuit_breaker_state", { subgraph: "catalog", state: "closed" }), 1);
  });

  it("counts requests by operation name and outcome, and the subgraph calls they made", async () => {
    const ok = { service: "router", operation: "ProductName", outcome: "ok", status: "200" };
    const before = await scrape();
    const fetched = sampleValue(before, "router_subgraph_requests_total", { subgraph: "catalog", outcome: "ok" }) ?? 0;
    for (let i = 0; i < 2; i++) {
      const { body } = await graphqlRequest(router.url, 'query ProductName { product(sku: "METRICS-1") { name } }');
      assert.deepEqual(body, { data: { product: { name: "Measured" } } });
    }
    const after = await scrape();
    assert.equal((sampleValue(after, "graphql_requests_total", ok) ?? 0) - (sampleValue(before, "graphql_requests_total", ok) ?? 0), 2);
    assert.equal(
      (sampleValue(after, "graphql_request_duration_seconds_count", { service: "router", operation: "ProductName" }) ?? 0) -
        (sampleValue(before, "graphql_request_duration_seconds_count", { service: "router", operation: "ProductName" }) ?? 0),
      2,
    );
    assert.equal((sampleValue(after, "router_subgraph_requests_total", { subgraph: "catalog", outcome: "ok" }) ?? 0) - fetched, 2);
  });

  it("counts an invalid operation under (invalid) with its error code, never under the name it claims", async () => {
    const { status, body } = await graphqlRequest(router.url, "query ClaimedName { noSuchField }");
    assert.equal(status, 400);
    assert.equal(body.errors?.[0]?.extensions?.code, "GRAPHQL_VALIDATION_FAILED");
    const text = await scrape();
    assert.equal(
      sampleValue(text, "graphql_requests_total", {
        service: "router",
        operation: "(invalid)",
        outcome: "GRAPHQL_VALIDATION_FAILED",
        status: "400",
      }),
      1,
    );
    assert.equal(sampleValue(text, "graphql_requests_total", { operation: "ClaimedName" }), undefined);
  });

  it("counts a request refused by a limit, by the limit's name", async () => {
    const { body } = await graphqlRequest(
      router.url,
      "query TooDeep { products(first: 1) { edges { node { category { parent { parent { name } } } } } } }",
    );
    assert.equal(body.errors?.[0]?.extensions?.code, "OPERATION_LIMIT_EXCEEDED");
    const text = await scrape();
    assert.equal(sampleValue(text, "router_rejected_requests_total", { reason: "depth" }), 1);
    assert.equal(
      sampleValue(text, "graphql_requests_total", {
        service: "router",
        operation: "TooDeep",
        outcome: "OPERATION_LIMIT_EXCEEDED",
        status: "400",
      }),
      1,
    );
  });

  it("continues the client's traceparent through the gateway to the subgraph: one trace id, each span below its caller", async () => {
    const traceId = randomBytes(16).toString("hex");
    const clientSpanId = randomBytes(8).toString("hex");
    const { status } = await graphqlRequest(router.url, 'query Traced { product(sku: "METRICS-1") { name } }', undefined, {
      traceparent: `00-${traceId}-${clientSpanId}-01`,
    });
    assert.equal(status, 200);
    const inTrace = (): ReadableSpan[] => spans.spans().filter((span) => span.spanContext().traceId === traceId);
    const deadline = Date.now() + 5_000;
    while (!inTrace().some((span) => span.name === "query Traced" && span.resource.attributes["service.name"] === "router")) {
      assert.ok(Date.now() < deadline, "the router's span ends");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const routerSpan = inTrace().find((span) => span.kind === SERVER && span.resource.attributes["service.name"] === "router");
    assert.equal(routerSpan?.parentSpanContext?.spanId, clientSpanId, "the router's span is a child of the client's");
    assert.equal(routerSpan?.attributes["graphql.operation.name"], "Traced");
    const fetchSpan = inTrace().find((span) => span.name === "gateway.fetch");
    assert.ok(fetchSpan, "@apollo/gateway's own spans join the trace");
    const subgraphSpan = inTrace().find((span) => span.kind === SERVER && span !== routerSpan);
    assert.equal(subgraphSpan?.parentSpanContext?.spanId, fetchSpan.spanContext().spanId, "the subgraph's span is below the fetch");
  });

  it("starts a new trace for a request that brings none", async () => {
    const known = new Set(spans.spans().map((span) => span.spanContext().traceId));
    await graphqlRequest(router.url, 'query Untraced { product(sku: "METRICS-1") { name } }');
    const deadline = Date.now() + 5_000;
    const untraced = () => spans.spans().find((span) => span.name === "query Untraced");
    while (!untraced()) {
      assert.ok(Date.now() < deadline, "the router's span ends");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const routerSpan = untraced() as ReadableSpan;
    assert.equal(routerSpan.parentSpanContext, undefined, "a root span");
    assert.equal(known.has(routerSpan.spanContext().traceId), false);
  });

  // last: it spends the address's budget
  it("counts requests refused by the rate limit", async () => {
    let refused = 0;
    for (let i = 0; i < 30 && refused === 0; i++) {
      const { status } = await graphqlRequest(router.url, "query Ping { __typename }");
      if (status === 429) refused += 1;
    }
    assert.equal(refused, 1, "the address's budget of 25 runs out");
    const text = await scrape();
    assert.equal(sampleValue(text, "router_rejected_requests_total", { reason: "rate_limit" }), 1);
    assert.equal(
      sampleValue(text, "graphql_requests_total", { service: "router", operation: "(none)", outcome: "RATE_LIMITED", status: "429" }),
      1,
    );
  });
});
