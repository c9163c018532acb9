import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Viewer } from "@storefront/auth";
import type { Logger } from "pino";

/** Header the router sets on every subgraph request, and echoes back to clients. */
export const REQUEST_ID_HEADER = "x-request-id";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id a client or the router sent, when it is sane, or a new one. */
export function requestIdFrom(headers: IncomingHttpHeaders): string {
  const sent = headers[REQUEST_ID_HEADER];
  const value = Array.isArray(sent) ? sent[0] : sent;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

/** What every resolver of every subgraph can rely on. */
export interface BaseContext {
  readonly requestId: string;
  /** A child logger carrying the request id. */
  readonly logger: Logger;
  /** Who is signed in, proven by a verified access token; null for anonymous requests. */
  readonly viewer: Viewer | null;
}
