import type { Logger } from "@storefront/service";
// cockatiel over opossum: typed ESM with no dependencies, a breaker that is plain state (no per-breaker interval timers or
// rolling stat buckets to tear down on supergraph reloads), and state-change events to hang metrics on.
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhenResult } from "cockatiel";
import { Pool } from "undici";
import type { FailureReason, SubgraphFailure } from "./unavailable.ts";

export interface SubgraphClientOptions {
  /** The subgraph's name in the supergraph. */
  readonly name: string;
  /** Its GraphQL endpoint. */
  readonly url: string;
  /** Deadline of a whole call: connecting, waiting for a free connection, sending and reading the answer. */
  readonly timeoutMs: number;
  /** Most connections open to the subgraph at once. */
  readonly maxConnections: number;
  /** Consecutive counted failures that open the circuit. */
  readonly breakerFailures: number;
  /** How long the circuit stays open before a trial call. */
  readonly breakerCooldownMs: number;
  readonly logger: Logger;
  readonly events?: SubgraphClientEvents;
}

export type BreakerState = "closed" | "open" | "half_open";

/** What one call to a subgraph came to. */
export type CallOutcome =
  | {
      readonly kind: "answered";
      readonly response: Record<string, unknown>;
      /** The body `response` was parsed from, for another caller of a shared call to parse its own copy. */
      readonly body: string;
      /** The subgraph's `Cache-Control` header (its cache hints for this answer); undefined without one. */
      readonly cacheControl: string | undefined;
      readonly durationMs: number;
    }
  | { readonly kind: "failed"; readonly failure: SubgraphFailure; readonly durationMs: number }
  /** Its client went away first: the call was cancelled (or never made), and nobody is left to answer. */
  | { readonly kind: "abandoned"; readonly durationMs: number };

/** Hooks for metrics and tracing; each runs synchronously on the call's path, so keep them cheap. */
export interface SubgraphClientEvents {
  /** Every call, when it ends: answered, failed (and why) or abandoned, and how long it took. */
  readonly callEnded?: (subgraph: string, outcome: CallOutcome) => void;
  /** The subgraph's circuit breaker changed state. */
  readonly breakerChanged?: (subgraph: string, state: BreakerState) => void;
}

export interface SubgraphCall {
  /** The JSON request body. */
  readonly body: string;
  readonly headers: Record<string, string>;
  /** Aborted when the client whose request caused this call has gone; the call is then abandoned. */
  readonly clientGone?: AbortSignal;
}

// Network errors raised before a request could be sent; anything else may have reached the subgraph.
const NOT_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/** Marks a call its client abandoned: neither a success nor a failure of the subgraph, so the breaker ignores it. */
class CallAbandoned extends Error {}

const breakerStates: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half_open",
  [CircuitState.Isolated]: "open",
};

/**
 * The router's HTTP client for one subgraph: a pool of kept-alive connections (bounded), a deadline per call,
 * cancellation when the client goes away, and a circuit breaker that fails calls at once while the subgraph is down.
 * Never throws for the subgraph's failures: it says what happened, and the caller turns that into errors.
 */
export function createSubgraphClient(options: SubgraphClientOptions) {
  const { name, timeoutMs, breakerCooldownMs, logger, events } = options;
  const url = new URL(options.url);
  const path = `${url.pathname}${url.search}`;
  // HTTP/1.1 keep-alive is undici's default; it keeps a connection as long as the subgraph's Keep-Alive header allows.
  const pool = new Pool(url.origin, { connections: options.maxConnections, pipelining: 1 });

  const breaker = circuitBreaker(
    handleWhenResult((outcome) => (outcome as CallOutcome).kind === "failed" && countsAgainstBreaker((outcome as FailedCall).failure)),
    { halfOpenAfter: breakerCooldownMs, breaker: new ConsecutiveBreaker(options.breakerFailures) },
  );
  let openedAt = 0;
  breaker.onStateChange((state) => {
    if (state === CircuitState.Open) openedAt = Date.now();
    const named = breakerStates[state];
    if (named === "open") logger.warn({ subgraph: name, breaker: named, cooldownMs: breakerCooldownMs }, "subgraph circuit opened");
    else logger.info({ subgraph: name, breaker: named }, `subgraph circuit ${named === "closed" ? "closed" : "half-open"}`);
    events?.breakerChanged?.(name, named);
  });

  function failed(started: number, reason: FailureReason, detail: string, status?: number): CallOutcome {
    const failure: SubgraphFailure = status === undefined ? { reason, service: name, detail } : { reason, service: name, detail, status };
    return { kind: "failed", failure, durationMs: performance.now() - started };
  }

  function circuitOpen(started: number): CallOutcome {
    const retryAfterSeconds = Math.max(1, Math.ceil((openedAt + breakerCooldownMs - Date.now()) / 1000));
    const failure: SubgraphFailure = { reason: "circuit_open", service: name, detail: "circuit open", retryAfterSeconds };
    return { kind: "failed", failure, durationMs: performance.now() - started };
  }

  /** One HTTP exchange within the deadline; throws CallAbandoned when the client left first. */
  async function exchange(call: SubgraphCall, started: number): Promise<CallOutcome> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const abandon = () => controller.abort();
    // A trial call decides whether the circuit closes, so it runs to its end (or deadline) even when its client leaves.
    const listening = call.clientGone !== undefined && breaker.state !== CircuitState.HalfOpen;
    if (listening) call.clientGone?.addEventListener("abort", abandon, { once: true });
    try {
      const { statusCode, headers, body } = await pool.request({
        path,
        method: "POST",
        headers: call.headers,
        body: call.body,
        signal: controller.signal,
      });
      if (statusCode < 200 || statusCode > 299) {
        // The start of the body tells an operator why (a subgraph's own GraphQL error, a proxy's error page).
        const text = await body.text();
        return failed(started, "bad_response", `HTTP ${statusCode}: ${text.slice(0, 300)}`, statusCode);
      }
      const text = await body.text();
      let response: unknown;
      try {
        response = JSON.parse(text);
      } catch {
        return failed(started, "bad_response", `HTTP ${statusCode} with a body that is not JSON`, statusCode);
      }
      if (typeof response !== "object" || response === null || Array.isArray(response)) {
        return failed(started, "bad_response", `HTTP ${statusCode} with a body that is not a JSON object`, statusCode);
      }
      const cacheControl = typeof headers["cache-control"] === "string" ? headers["cache-control"] : undefined;
      return {
        kind: "answered",
        response: response as Record<string, unknown>,
        body: text,
        cacheControl,
        durationMs: performance.now() - started,
      };
    } catch (error) {
      if (timedOut) return failed(started, "timeout", `no answer within ${timeoutMs} ms`);
      if (controller.signal.aborted) throw new CallAbandoned();
      const code = (error as { code?: unknown }).code;
      // A request undici refuses to send is the router's bug, not the subgraph's failure: the breaker must not count it.
      if (code === "UND_ERR_INVALID_ARG") throw error;
      const detail = error instanceof Error ? `${typeof code === "string" ? `${code}: ` : ""}${error.message}` : String(error);
      return failed(started, typeof code === "string" && NOT_CONNECTED.has(code) ? "unreachable" : "connection_lost", detail);
    } finally {
      clearTimeout(timer);
      if (listening) call.clientGone?.removeEventListener("abort", abandon);
    }
  }

  async function attempt(call: SubgraphCall, started: number): Promise<CallOutcome> {
    if (call.clientGone?.aborted) return { kind: "abandoned", durationMs: 0 };
    const state = breaker.state;
    // Open within its cooldown, or half-open with its one trial call under way: fail now rather than queue behind it.
    if ((state === CircuitState.Open && Date.now() - openedAt < breakerCooldownMs) || state === CircuitState.HalfOpen) {
      return circuitOpen(started);
    }
    try {
      return await breaker.execute(() => exchange(call, started));
    } catch (error) {
      if (error instanceof CallAbandoned) return { kind: "abandoned", durationMs: performance.now() - started };
      if (error instanceof BrokenCircuitError) return circuitOpen(started);
      throw error;
    }
  }

  return {
    name,
    timeoutMs,
    /** Sends one GraphQL request. */
    async send(call: SubgraphCall): Promise<CallOutcome> {
      const outcome = await attempt(call, performance.now());
      events?.callEnded?.(name, outcome);
      return outcome;
    },
    /** The breaker's state, for readiness reports and tests. */
    breakerState: (): BreakerState => breakerStates[breaker.state],
    /** Lets calls in flight finish, then closes every connection. */
    close: () => pool.close(),
  };
}

type FailedCall = Extract<CallOutcome, { kind: "failed" }>;

/** A subgraph that is down, overloaded or garbled opens the circuit; one that refuses a request (4xx) is up and does not. */
function countsAgainstBreaker(failure: SubgraphFailure): boolean {
  switch (failure.reason) {
    case "circuit_open":
    case "cancelled":
      return false;
    case "bad_response":
      return failure.status === undefined || failure.status < 400 || failure.status >= 500 || failure.status === 429;
    default:
      return true;
  }
}

export type SubgraphClient = ReturnType<typeof createSubgraphClient>;
