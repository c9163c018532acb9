import { Counter, Histogram } from "prom-client";
import { metricsRegistry } from "./registry.ts";

/** Operation-name labels beyond which a service counts new names under `(other)`: names are chosen by clients. */
export const MAX_OPERATION_NAMES = 100;
/** Longest operation name kept in a label; longer ones are cut. */
export const MAX_OPERATION_NAME_LENGTH = 64;

/**
 * Label values that no GraphQL operation name can take (names match /[_A-Za-z][_0-9A-Za-z]*\/), so they never clash
 * with a real operation.
 */
export const OPERATION_LABELS = {
  /** A valid operation without a name. */
  anonymous: "(anonymous)",
  /** The request never became a valid operation: unparsable, invalid, refused before execution. */
  invalid: "(invalid)",
  /** Past MAX_OPERATION_NAMES distinct names. */
  other: "(other)",
} as const;

const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

const requests = new Counter({
  name: "graphql_requests_total",
  help: "GraphQL requests answered, by service, operation name, outcome (`ok` or the first error's extensions.code) and HTTP status.",
  labelNames: ["service", "operation", "outcome", "status"] as const,
  registers: [metricsRegistry],
});

const duration = new Histogram({
  name: "graphql_request_duration_seconds",
  help: "Time from a GraphQL request's arrival to the end of its response, by service and operation name.",
  labelNames: ["service", "operation"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

const namesSeen = new Map<string, Set<string>>();

/** The label for a valid operation's name: bounded in length and, per service, in how many distinct names it takes. */
export function operationLabel(service: string, name: string | null | undefined): string {
  if (!name) return OPERATION_LABELS.anonymous;
  const label = name.slice(0, MAX_OPERATION_NAME_LENGTH);
  let seen = namesSeen.get(service);
  if (!seen) {
    seen = new Set();
    namesSeen.set(service, seen);
  }
  if (seen.has(label)) return label;
  if (seen.size >= MAX_OPERATION_NAMES) return OPERATION_LABELS.other;
  seen.add(label);
  return label;
}

/** An error code as a label: codes are ours, but one coming back from elsewhere must not grow the label set freely. */
export function outcomeLabel(code: unknown): string {
  if (code === undefined || code === null) return "ERROR";
  return typeof code === "string" && ERROR_CODE.test(code) ? code : "ERROR";
}

export interface GraphQLRequestObservation {
  readonly service: string;
  /** From operationLabel, or OPERATION_LABELS.invalid. */
  readonly operation: string;
  /** `ok`, or an error code (outcomeLabel). */
  readonly outcome: string;
  readonly status: number;
  readonly seconds: number;
}

/** Counts one answered GraphQL request and its latency. */
export function observeGraphQLRequest({ service, operation, outcome, status, seconds }: GraphQLRequestObservation): void {
  requests.inc({ service, operation, outcome, status: String(status) });
  duration.observe({ service, operation }, seconds);
}
