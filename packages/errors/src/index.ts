import { GraphQLError, type GraphQLErrorOptions } from "graphql";

/** One client-visible failure: a stable `extensions.code` and what it means. */
export interface ErrorCodeDefinition<Code extends string = string> {
  readonly code: Code;
  readonly description: string;
  /** Builds the GraphQLError a resolver throws; `extensions.code` is always this definition's code. */
  err(message: string, options?: ErrorOptions): GraphQLError;
}

export interface ErrorOptions {
  /** Extra machine-readable details for the client, merged into `extensions`. */
  readonly extensions?: Record<string, unknown>;
  readonly cause?: unknown;
  readonly path?: GraphQLErrorOptions["path"];
}

function define<Code extends string>(code: Code, description: string): ErrorCodeDefinition<Code> {
  return {
    code,
    description,
    err(message, options = {}) {
      return new GraphQLError(message, {
        path: options.path,
        originalError: options.cause instanceof Error ? options.cause : undefined,
        extensions: { ...options.extensions, code },
      });
    },
  };
}

/**
 * The registry of every error code a client of the supergraph can see. Codes are part of the
 * public API: add new ones freely, never rename or repurpose one.
 */
export const ErrorCode = {
  BAD_USER_INPUT: define("BAD_USER_INPUT", "An argument is missing, malformed or out of range; the message names it."),
  UNAUTHENTICATED: define("UNAUTHENTICATED", "No valid credentials: the token is missing, expired or not ours."),
  FORBIDDEN: define("FORBIDDEN", "Signed in, but not allowed to see or change this."),
  NOT_FOUND: define("NOT_FOUND", "The thing asked for does not exist (or is not visible to the caller)."),
  CONFLICT: define("CONFLICT", "The change clashes with the current state, e.g. a duplicate SKU or an illegal status change."),
  OUT_OF_STOCK: define("OUT_OF_STOCK", "Not enough stock is available for the quantity asked for."),
  PAYMENT_DECLINED: define("PAYMENT_DECLINED", "The payment provider declined the payment."),
  RATE_LIMITED: define("RATE_LIMITED", "Too many requests; retry after the time given in extensions.retryAfterSeconds."),
  SERVICE_UNAVAILABLE: define("SERVICE_UNAVAILABLE", "A part of the shop is unreachable right now; retrying later may succeed."),
  OPERATION_LIMIT_EXCEEDED: define(
    "OPERATION_LIMIT_EXCEEDED",
    "The operation is over one of the router's limits, refused before it ran: extensions.limit names it (depth, aliases, rootFields, tokens, directives or cost) and extensions.max gives its value. Ask for fewer or smaller lists, or split the operation.",
  ),
  PERSISTED_QUERY_NOT_IN_LIST: define(
    "PERSISTED_QUERY_NOT_IN_LIST",
    "The router runs only the operations of its persisted operations list (safelist mode) and this one is not in it: send a listed operation, by id or with its exact text.",
  ),
  INTERNAL_SERVER_ERROR: define(
    "INTERNAL_SERVER_ERROR",
    "An unexpected failure on our side; the details are in the server logs, not here.",
  ),
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

/** All codes with their descriptions, e.g. for documentation. */
export function listErrorCodes(): ReadonlyArray<{ code: ErrorCodeName; description: string }> {
  return Object.values(ErrorCode).map(({ code, description }) => ({ code, description }));
}

/** True when the error is one of ours (a client-caused failure with a registered code). */
export function isClientError(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  const code = error.extensions.code;
  return typeof code === "string" && code in ErrorCode && code !== "INTERNAL_SERVER_ERROR";
}
