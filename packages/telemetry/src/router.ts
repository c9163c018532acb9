import { Counter, Gauge, Histogram } from "prom-client";
import { metricsRegistry } from "./registry.ts";

/** A circuit breaker's states, as the `state` label of router_circuit_breaker_state. */
export const BREAKER_STATES = ["closed", "open", "half_open"] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

const subgraphRequests = new Counter({
  name: "router_subgraph_requests_total",
  help: "Requests the router sent to subgraphs, by subgraph and outcome (`ok`, or why not: `timeout`, `network`, `http_5xx`, `circuit_open`, …).",
  labelNames: ["subgraph", "outcome"] as const,
  registers: [metricsRegistry],
});

const subgraphDuration = new Histogram({
  name: "router_subgraph_request_duration_seconds",
  help: "Time the router waited for a subgraph's answer, by subgraph (failures included).",
  labelNames: ["subgraph"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

const breaker = new Gauge({
  name: "router_circuit_breaker_state",
  help: "1 for the state each subgraph's circuit breaker is in (closed, open, half_open), 0 for the others.",
  labelNames: ["subgraph", "state"] as const,
  registers: [metricsRegistry],
});

const rejections = new Counter({
  name: "router_rejected_requests_total",
  help: "Client requests the router refused before running them, by reason (`depth`, `aliases`, `cost`, `body_size`, `rate_limit`, …).",
  labelNames: ["reason"] as const,
  registers: [metricsRegistry],
});

const responseCacheLookups = new Counter({
  name: "router_response_cache_requests_total",
  help: "Queries the router's response cache saw, by result: `hit` (answered from the cache), `miss` (executed, then stored when cacheable), `bypass` (signed in, a mutation, or the cache off or not yet following events).",
  labelNames: ["result"] as const,
  registers: [metricsRegistry],
});

const responseCacheInvalidations = new Counter({
  name: "router_response_cache_invalidations_total",
  help: "Times the router's response cache was emptied, by cause: the event type (catalog.product_changed.v1, inventory.availability_changed.v1, …), `unreadable` (a message that is no known event) or `joined` (it follows events, at start or again after it could not, and trusts nothing kept before).",
  labelNames: ["event"] as const,
  registers: [metricsRegistry],
});

/** What the router's own parts (subgraph client, breaker, limits, rate limiter, response cache) report. */
export const routerMetrics = {
  /** One request to a subgraph finished: `outcome` is `ok` or a short, fixed reason of failure. */
  subgraphFetch(subgraph: string, outcome: string, seconds: number): void {
    subgraphRequests.inc({ subgraph, outcome });
    subgraphDuration.observe({ subgraph }, seconds);
  },
  /** A subgraph's circuit breaker is now in `state`. */
  breakerState(subgraph: string, state: BreakerState): void {
    for (const each of BREAKER_STATES) breaker.set({ subgraph, state: each }, each === state ? 1 : 0);
  },
  /** A client request was refused by a limit or the rate limiter; `reason` is a short, fixed name. */
  rejected(reason: string): void {
    rejections.inc({ reason });
  },
  /** A query met the response cache: answered from it, executed (and stored if cacheable), or let past it. */
  responseCacheLookup(result: "hit" | "miss" | "bypass"): void {
    responseCacheLookups.inc({ result });
  },
  /** An event (or following events again) emptied the response cache. */
  responseCacheInvalidated(event: string): void {
    responseCacheInvalidations.inc({ event });
  },
};

export type RouterMetrics = typeof routerMetrics;
