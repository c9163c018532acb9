import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  eventMetrics,
  MAX_OPERATION_NAMES,
  metricsRoute,
  OPERATION_LABELS,
  observeGraphQLRequest,
  operationLabel,
  outcomeLabel,
  routerMetrics,
  sampleValue,
  watchDatabasePool,
} from "../src/index.ts";

describe("/metrics", () => {
  let url: string;
  const server = createServer(metricsRoute());

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const scrape = async () => {
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it("answers in the Prometheus text format, with Node's process metrics and ours", async () => {
    const text = await scrape();
    for (const family of [
      "process_cpu_user_seconds_total",
      "nodejs_eventloop_lag_seconds",
      "graphql_requests_total",
      "graphql_request_duration_seconds",
      "router_subgraph_requests_total",
      "router_circuit_breaker_state",
      "router_rejected_requests_total",
      "event_dead_letters_total",
      "event_handler_retries_total",
      "event_consumer_lag_messages",
      "outbox_pending_events",
      "outbox_oldest_pending_age_seconds",
      "db_pool_connections",
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${family} `, "m"), `${family} is exposed`);
    }
  });

  it("counts a request under its operation and outcome, and observes its latency", async () => {
    observeGraphQLRequest({ service: "test", operation: "ProductPage", outcome: "ok", status: 200, seconds: 0.02 });
    observeGraphQLRequest({ service: "test", operation: "ProductPage", outcome: "ok", status: 200, seconds: 0.2 });
    observeGraphQLRequest({ service: "test", operation: "ProductPage", outcome: "NOT_FOUND", status: 200, seconds: 0.01 });
    const text = await scrape();
    assert.equal(
      sampleValue(text, "graphql_requests_total", { service: "test", operation: "ProductPage", outcome: "ok", status: "200" }),
      2,
    );
    assert.equal(sampleValue(text, "graphql_requests_total", { service: "test", operation: "ProductPage", outcome: "NOT_FOUND" }), 1);
    assert.equal(sampleValue(text, "graphql_request_duration_seconds_count", { service: "test", operation: "ProductPage" }), 3);
    assert.equal(
      sampleValue(text, "graphql_request_duration_seconds_bucket", { service: "test", operation: "ProductPage", le: "0.025" }),
      2,
    );
  });

  it("shows each breaker's current state as 1 and the others as 0, and counts subgraph calls and refusals", async () => {
    routerMetrics.breakerState("orders", "open");
    routerMetrics.subgraphFetch("orders", "circuit_open", 0.001);
    routerMetrics.rejected("depth");
    let text = await scrape();
    assert.equal(sampleValue(text, "router_circuit_breaker_state", { subgraph: "orders", state: "open" }), 1);
    assert.equal(sampleValue(text, "router_circuit_breaker_state", { subgraph: "orders", state: "closed" }), 0);
    assert.equal(sampleValue(text, "router_subgraph_requests_total", { subgraph: "orders", outcome: "circuit_open" }), 1);
    assert.equal(sampleValue(text, "router_rejected_requests_total", { reason: "depth" }), 1);
    routerMetrics.breakerState("orders", "closed");
    text = await scrape();
    assert.equal(sampleValue(text, "router_circuit_breaker_state", { subgraph: "orders", state: "open" }), 0);
    assert.equal(sampleValue(text, "router_circuit_breaker_state", { subgraph: "orders", state: "closed" }), 1);
  });

  it("reads pools, outboxes and lag at scrape time, and forgets them once unwatched", async () => {
    let waiting = 2;
    const unwatchPool = watchDatabasePool("orders", () => ({ total: 5, idle: 1, waiting, max: 10 }));
    const unwatchOutbox = eventMetrics.watchOutbox("orders", async () => ({ pending: 3, oldestPendingSeconds: 12.5 }));
    const unwatchLag = eventMetrics.watchConsumerLag("inventory", async () => [{ topic: "storefront.orders", partition: 1, lag: 7 }]);
    let text = await scrape();
    assert.equal(sampleValue(text, "db_pool_waiting_requests", { service: "orders" }), 2);
    assert.equal(sampleValue(text, "db_pool_max_connections", { service: "orders" }), 10);
    assert.equal(sampleValue(text, "outbox_pending_events", { service: "orders" }), 3);
    assert.equal(sampleValue(text, "outbox_oldest_pending_age_seconds", { service: "orders" }), 12.5);
    assert.equal(sampleValue(text, "event_consumer_lag_messages", { group: "inventory", topic: "storefront.orders", partition: "1" }), 7);
    waiting = 0;
    text = await scrape();
    assert.equal(sampleValue(text, "db_pool_waiting_requests", { service: "orders" }), 0, "read again at every scrape");
    unwatchPool();
    unwatchOutbox();
    unwatchLag();
    text = await scrape();
    assert.equal(sampleValue(text, "db_pool_connections", { service: "orders" }), undefined);
    assert.equal(sampleValue(text, "outbox_pending_events", { service: "orders" }), undefined);
  });

  it("does not let a hanging source hold the scrape: its gauge keeps its last value", async () => {
    const unwatch = eventMetrics.watchOutbox("stuck", () => new Promise(() => {}));
    const text = await scrape();
    assert.equal(sampleValue(text, "outbox_pending_events", { service: "stuck" }), undefined);
    unwatch();
  });
});

describe("operation and outcome labels", () => {
  it("keeps valid names, cut to a bounded length, and names no operation (anonymous) apart", () => {
    assert.equal(operationLabel("labels-a", "ProductPage"), "ProductPage");
    assert.equal(operationLabel("labels-a", null), OPERATION_LABELS.anonymous);
    assert.equal(operationLabel("labels-a", "X".repeat(500)).length, 64);
  });

  it("counts names past the limit of distinct names per service under (other), and keeps counting the known ones", () => {
    for (let i = 0; i < MAX_OPERATION_NAMES; i++) assert.equal(operationLabel("labels-b", `Operation${i}`), `Operation${i}`);
    assert.equal(operationLabel("labels-b", "OneTooMany"), OPERATION_LABELS.other);
    assert.equal(operationLabel("labels-b", "Operation0"), "Operation0");
    assert.equal(operationLabel("labels-c", "OneTooMany"), "OneTooMany", "each service has its own budget");
  });

  it("takes an error code as outcome only when it looks like one", () => {
    assert.equal(outcomeLabel("BAD_USER_INPUT"), "BAD_USER_INPUT");
    assert.equal(outcomeLabel("drop table; --"), "ERROR");
    assert.equal(outcomeLabel(undefined), "ERROR");
    assert.equal(outcomeLabel({ nested: true }), "ERROR");
  });
});
