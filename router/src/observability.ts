import { routerMetrics } from "@storefront/telemetry";
import type { CallOutcome, SubgraphClientEvents } from "./subgraphs/client.ts";

/** router_subgraph_requests_total's outcome: `ok`, the failure's reason (`timeout`, `circuit_open`, …) or `abandoned`. */
export function subgraphCallOutcome(outcome: CallOutcome): string {
  if (outcome.kind === "answered") return "ok";
  return outcome.kind === "failed" ? outcome.failure.reason : "abandoned";
}

/**
 * The subgraph clients' hooks, feeding router_subgraph_requests_total, router_subgraph_request_duration_seconds and
 * router_circuit_breaker_state (a subgraph's breaker shows `closed` from its first call, before any change).
 */
export function subgraphCallMetrics(): SubgraphClientEvents {
  const known = new Set<string>();
  return {
    callEnded(subgraph, outcome) {
      routerMetrics.subgraphFetch(subgraph, subgraphCallOutcome(outcome), outcome.durationMs / 1_000);
      if (known.has(subgraph)) return;
      known.add(subgraph);
      routerMetrics.breakerState(subgraph, "closed");
    },
    breakerChanged(subgraph, state) {
      known.add(subgraph);
      routerMetrics.breakerState(subgraph, state);
    },
  };
}
