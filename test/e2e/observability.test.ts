// Observability end to end. One checkout, paid, is one trace from the router through every subgraph, the outboxes,
// the event bus (Kafka when KAFKA_BROKERS is set) and the consumers to PAID: the whole shop runs in this process so
// an in-memory exporter sees every span. Then real processes: spans leave over OTLP/HTTP to a collector, and the
// JSON logs carry the trace id next to the request id.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { composeServices } from "@apollo/composition";
import { createTestDatabase, type DatabaseConfig } from "@storefront/db";
import { demoUsers } from "@storefront/demo-data";
import { createInProcessBus, createKafkaBus, type EventBus, ORDER_TOPIC, PAYMENT_TOPIC } from "@storefront/events";
import { createRouter, readRouterSettings } from "@storefront/router";
import { generateServiceSecrets, type RunningSubgraph } from "@storefront/runtime";
import { type RunningHttpServer, silentLogger } from "@storefront/service";
import { type ReadableSpan, recordSpansInMemory, type SpanRecorder, sampleValue } from "@storefront/telemetry";
import { freePort, graphqlRequest, type SupergraphProcesses, startSupergraphProcesses } from "@storefront/testkit";
import { demoPasswords } from "@storefront/users";
import { parse } from "graphql";
import { embeddedSubgraphs } from "../../scripts/embedded-subgraphs.ts";
import { cards, eventually } from "./support/shop.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");

const SERVER = 1;

describe("one checkout, paid, is one trace", { timeout: 240_000 }, () => {
  const logger = silentLogger();
  const run = `trace-${randomUUID().slice(0, 8)}`;
  const cleanups: (() => Promise<void>)[] = [];
  const subgraphs: RunningSubgraph<unknown>[] = [];
  let bus: EventBus;
  let router: RunningHttpServer;
  let recorder: SpanRecorder;
  let subgraphUrls: Record<string, string>;

  before(async () => {
    recorder = recordSpansInMemory();
    bus = process.env.KAFKA_BROKERS
      ? createKafkaBus({ brokers: process.env.KAFKA_BROKERS.split(","), clientId: run, topicPrefix: `${run}.`, logger })
      : createInProcessBus();
    const ports = Object.fromEntries(await Promise.all(embeddedSubgraphs.map(async ({ name }) => [name, await freePort()] as const)));
    subgraphUrls = Object.fromEntries(embeddedSubgraphs.map(({ name }) => [name, `http://127.0.0.1:${ports[name]}/graphql`]));
    const serviceSecrets = generateServiceSecrets();
    const started = await Promise.all(
      embeddedSubgraphs.map(async (launcher) => {
        let database: DatabaseConfig;
        if (process.env.TEST_POSTGRES_URL) {
          const db = await createTestDatabase(launcher.name);
          await db.close();
          cleanups.push(() => db.drop());
          database = { kind: "postgres", url: db.url ?? "" };
        } else {
          const dataDir = mkdtempSync(path.join(tmpdir(), `storefront-trace-${launcher.name}-`));
          cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
          database = { kind: "pglite", dataDir };
        }
        return launcher.start({
          database,
          bus,
          logger,
          production: false,
          port: ports[launcher.name] ?? 0,
          migrate: true,
          seedDemo: true,
          subgraphUrls,
          serviceSecrets,
        });
      }),
    );
    subgraphs.push(...started);
    const urlSettings = Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [`${name.toUpperCase()}_URL`, url]));
    router = await createRouter({ settings: readRouterSettings({ NODE_ENV: "test", ...urlSettings }), logger }).listen(0);
  });

  after(async () => {
    await router?.close();
    await Promise.allSettled(subgraphs.map((subgraph) => subgraph.close()));
    await bus?.close();
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    await recorder?.stop();
  });

  it("router → orders → outbox → bus → inventory, cart, payments; payOrder → payments → outbox → bus → orders: PAID → inventory", async () => {
    const customer = demoUsers.find((user) => user.role === "CUSTOMER");
    assert.ok(customer);
    const login = await graphqlRequest<{ login: { accessToken: string } }>(
      router.url,
      "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
      { input: { email: customer.email, password: demoPasswords[customer.email] } },
    );
    const token = login.body.data?.login.accessToken;
    assert.ok(token);
    // The storefront's checkout page is one trace: each request names its own parent span, all under one trace id.
    const traceId = randomBytes(16).toString("hex");
    const headers = () => ({ authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` });

    const checkout = await graphqlRequest<{ checkout: { id: string; status: string } }>(
      router.url,
      "mutation Checkout($input: CheckoutInput!) { checkout(input: $input) { id status } }",
      { input: { idempotencyKey: randomUUID() } },
      headers(),
    );
    assert.deepEqual(checkout.body.errors, undefined, "the seeded cart ships to the seeded address");
    const orderId = checkout.body.data?.checkout.id;
    assert.ok(orderId);
    const paid = await eventually(
      () =>
        graphqlRequest<{ payOrder: { payment: { status: string } } }>(
          router.url,
          "mutation PayOrder($input: PayOrderInput!) { payOrder(input: $input) { payment { status } } }",
          {
            input: {
              orderId,
              idempotencyKey: randomUUID(),
              method: { cardNumber: cards.approves, expiryMonth: 12, expiryYear: 2030, cvc: "123" },
            },
          },
          headers(),
        ),
      (answer) => answer.body.errors?.[0]?.extensions?.code !== "NOT_FOUND",
      "payments learns of the order",
    );
    assert.deepEqual(paid.body.errors, undefined);
    assert.equal(paid.body.data?.payOrder.payment.status, "CAPTURED");

    // "<service> <span name> <event type>": what each part of the shop did in this trace
    const describe = (span: ReadableSpan) =>
      [span.resource.attributes["service.name"], span.name, span.attributes["cloudevents.event_type"]].filter(Boolean).join(" ");
    const traced = () => recorder.spans().filter((span) => span.spanContext().traceId === traceId);
    // inventory commits the reservation on order.paid: the saga's last step for this order
    const spans = await eventually(
      async () => traced(),
      (found) => found.some((span) => describe(span) === `inventory process ${ORDER_TOPIC} order.paid.v1`),
      "inventory handles order.paid in the same trace",
      60_000,
    );
    const summary = new Set(spans.map(describe));
    for (const expected of [
      "router mutation Checkout",
      "router gateway.fetch",
      // a subgraph's span is named after the operation the gateway's plan sends it
      "orders mutation Checkout__orders__0",
      `orders publish ${ORDER_TOPIC} order.placed.v1`,
      `inventory process ${ORDER_TOPIC} order.placed.v1`,
      `cart process ${ORDER_TOPIC} order.placed.v1`,
      `payments process ${ORDER_TOPIC} order.placed.v1`,
      "router mutation PayOrder",
      "payments mutation PayOrder__payments__0",
      `payments publish ${PAYMENT_TOPIC} payment.captured.v1`,
      `orders process ${PAYMENT_TOPIC} payment.captured.v1`,
      `orders publish ${ORDER_TOPIC} order.paid.v1`,
      `inventory process ${ORDER_TOPIC} order.paid.v1`,
    ]) {
      assert.ok(summary.has(expected), `${expected} is in the trace; it has: ${[...summary].sort().join(", ")}`);
    }
    // each span hangs below another span of the trace, or (the two requests) below the client's own span
    const ids = new Set(spans.map((span) => span.spanContext().spanId));
    const roots = spans.filter((span) => !span.parentSpanContext || !ids.has(span.parentSpanContext.spanId));
    assert.deepEqual([...new Set(roots.map((span) => `${describe(span)} ${span.kind === SERVER ? "server" : span.kind}`))].sort(), [
      "router mutation Checkout server",
      "router mutation PayOrder server",
    ]);
    const order = await graphqlRequest<{ order: { status: string } }>(
      router.url,
      "query($id: ID!) { order(id: $id) { status } }",
      { id: orderId },
      {
        authorization: `Bearer ${token}`,
      },
    );
    assert.equal(order.body.data?.order.status, "PAID");
  });

  it("each subgraph serves /metrics: its requests, database pool, outbox and consumer lag", async () => {
    const response = await fetch(subgraphUrls.orders?.replace(/\/graphql$/, "/metrics") ?? "");
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok((sampleValue(text, "graphql_requests_total", { service: "orders", outcome: "ok" }) ?? 0) >= 1, "orders counted its requests");
    assert.equal(sampleValue(text, "outbox_pending_events", { service: "orders" }) !== undefined, true);
    assert.ok((sampleValue(text, "event_handled_total", { group: "orders", type: "payment.captured.v1", outcome: "handled" }) ?? 0) >= 1);
    assert.match(text, /^event_consumer_lag_messages\{group="orders",topic="storefront\.payments",partition="\d+"\} \d+$/m);
    if (process.env.TEST_POSTGRES_URL) assert.ok((sampleValue(text, "db_pool_max_connections", { service: "orders" }) ?? 0) > 0);
  });
});

interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: { traceId: string; name: string }[] }[];
  }[];
}

describe("real processes: spans to an OTLP collector, trace ids in the logs", { timeout: 180_000 }, () => {
  const received: OtlpExport[] = [];
  const collector = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.url === "/v1/traces") received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpExport);
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
  let stack: SupergraphProcesses;
  let stopped = false;
  const dir = mkdtempSync(path.join(tmpdir(), "storefront-otlp-"));

  before(async () => {
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    // a supergraph of the catalog alone (its URL comes from CATALOG_URL), so two processes make a ready shop
    const typeDefs = parse(readFileSync(path.join(repoRoot, "subgraphs/catalog/schema.graphql"), "utf8"));
    const composed = composeServices([{ name: "catalog", url: "http://127.0.0.1:1/unused", typeDefs }]);
    assert.ok(composed.supergraphSdl, composed.errors?.map((error) => error.message).join("\n"));
    writeFileSync(path.join(dir, "supergraph.graphql"), composed.supergraphSdl);
    stack = await startSupergraphProcesses({
      subgraphs: ["catalog"],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, LOG_LEVEL: "debug", SUPERGRAPH_PATH: path.join(dir, "supergraph.graphql") },
    });
  });
  after(async () => {
    if (!stopped) await stack?.stop();
    await new Promise<void>((resolve) => collector.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("the router and the subgraph send their spans of one request under the client's trace id, and log it", async () => {
    const traceId = randomBytes(16).toString("hex");
    const { status, headers } = await graphqlRequest(stack.routerUrl, "query Catalog { products(first: 1) { totalCount } }", undefined, {
      traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01`,
    });
    assert.equal(status, 200);
    const requestId = headers.get("x-request-id");
    // SIGTERM drains each process, which then sends what its exporter holds
    await stack.stop();
    stopped = true;
    const services = new Set(
      received.flatMap(({ resourceSpans }) =>
        resourceSpans
          .filter(({ scopeSpans }) => scopeSpans.some(({ spans }) => spans.some((span) => span.traceId === traceId)))
          .map(({ resource }) => resource.attributes.find((attribute) => attribute.key === "service.name")?.value.stringValue),
      ),
    );
    assert.deepEqual([...services].sort(), ["catalog", "router"]);
    const logLines = (name: string) =>
      stack
        .output(name)
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const routerRequest = logLines("router").find((line) => line.msg === "request" && line.requestId === requestId);
    assert.equal(routerRequest?.traceId, traceId, "the router's log line of the request names its trace");
    assert.match(String(routerRequest?.spanId), /^[0-9a-f]{16}$/);
    assert.ok(
      logLines("catalog").some((line) => line.msg === "request" && line.requestId === requestId && line.traceId === traceId),
      "so does the subgraph's, with the same request id",
    );
  });
});
