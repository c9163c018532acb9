import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type BaseContext as ApolloBaseContext, type ApolloServer, HeaderMap } from "@apollo/server";
import { flushTraces } from "@storefront/telemetry";
import type { Logger } from "pino";
import { REQUEST_ID_HEADER, requestIdFrom } from "./context.ts";
import { withCallerBudget } from "./entities-client.ts";
import {
  noteAnsweredWithout,
  noteRefusal,
  type ObservedOperation,
  observedOperation,
  observeGraphQLHttpRequest,
  requestObservationPlugin,
} from "./observability.ts";

/**
 * One check of `/ready`. `degraded: true` marks a failing check the process serves without (Kafka: events wait in the
 * outbox), so it stays ready; the check is there for operators.
 */
export interface ReadinessCheck {
  ok: boolean;
  degraded?: boolean;
  detail?: string;
}

/** What `/ready` reports: each named check and whether it passed. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, ReadinessCheck>;
}

/** A plain HTTP route next to /graphql (e.g. /metrics). */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** Hooks that run before a GraphQL request reaches Apollo; they may answer it themselves. */
export type RequestGuard = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<boolean> | boolean;

/**
 * Connect-style middleware (the `cors` and `compression` packages are such), run on every request
 * before routing. It either calls `next()` or answers the request itself (a CORS preflight).
 */
export type HttpMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** A whole answer as an AnswerStore keeps it, with the operation it answered (for the metrics of a later hit). */
export interface StoredAnswer {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [name: string, value: string]>;
  /** Encoded as its `content-encoding` header says, if it has one (the compression middleware leaves such a body alone). */
  readonly body: string | Buffer;
  readonly operation: ObservedOperation | undefined;
}

/** What an AnswerStore says of one request: an answer to send instead of running it, or a way to offer it Apollo's. */
export interface AnswerLookup {
  readonly hit?: StoredAnswer;
  /** Offers the store Apollo's complete answer to this request (always text); the store decides whether to keep it. */
  readonly keep?: (answer: StoredAnswer & { readonly body: string }) => void;
}

/**
 * Whole answers kept in front of Apollo (the router's response cache), looked up by the request as it arrived: after
 * the middleware, guards and body limit, before the body is parsed. Undefined: the request is not for the store.
 */
export interface AnswerStore {
  lookup(req: IncomingMessage, body: string, url: URL): AnswerLookup | undefined;
}

export interface GraphQLHttpServerOptions<Context extends ApolloBaseContext> {
  readonly apollo: ApolloServer<Context>;
  readonly logger: Logger;
  /** Which part of the shop serves (`router`, `orders`, …): the `service` label of its metrics and its spans' service. */
  readonly service?: string;
  /** Builds the per-request context. A thrown GraphQLError answers the request with that error. */
  readonly context: (req: IncomingMessage, requestId: string) => Promise<Context>;
  readonly path?: string;
  /** Largest accepted request body; bigger ones get 413 before being read whole. */
  readonly maxBodyBytes?: number;
  readonly readiness?: () => Promise<ReadinessReport>;
  readonly routes?: Record<string, HttpRoute>;
  readonly guards?: readonly RequestGuard[];
  readonly middleware?: readonly HttpMiddleware[];
  readonly answers?: AnswerStore;
  /** On close, how long in-flight requests may take to finish before their connections are cut (default 10 s). */
  readonly shutdownGraceMs?: number;
  /** On close, how long to go on serving, /ready answering 503, before refusing new connections (default 0). */
  readonly shutdownDelayMs?: number;
}

export interface RunningHttpServer {
  readonly server: Server;
  readonly url: string;
  /**
   * Drains, then stops: /ready answers 503 (for `shutdownDelayMs` while still serving), then no
   * new connection is accepted, requests in flight finish (at most `shutdownGraceMs`), then Apollo stops.
   */
  close(): Promise<void>;
}

/**
 * Runs the middleware in order, each calling the next through `next()`; false when one answered the request itself
 * instead. One promise and one pair of listeners per request, whatever the number of steps (this runs on every request).
 */
function runMiddleware(middleware: readonly HttpMiddleware[], req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (middleware.length === 0) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    const answered = () => resolve(false);
    const settle = (error?: unknown) => {
      res.off("finish", answered);
      res.off("close", answered);
      if (error) reject(error);
      else resolve(true);
    };
    res.once("finish", answered);
    res.once("close", answered);
    let index = 0;
    const next = (error?: unknown): void => {
      const step = middleware[index++];
      if (error || !step) {
        settle(error);
        return;
      }
      try {
        step(req, res, next);
      } catch (thrown) {
        // a step that calls next() later is outside this executor: its throw must still fail the request, not the process
        settle(thrown);
      }
    };
    next();
  });
}

/** Thrown by readRequestBody for a body over its limit. */
export class BodyTooLargeError extends Error {}

/**
 * Reads a request's whole body as UTF-8, refusing (BodyTooLargeError) more than `limit` bytes; a body over the limit is
 * not read further (the request is destroyed). Plain stream events rather than `for await`: the async iterator costs
 * several objects per chunk, on every request.
 */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        req.destroy();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size).toString("utf8"));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    // the client went away before the end of its body
    const onClose = () => {
      if (req.complete) return;
      stop();
      reject(new Error("the request was aborted before its body was complete"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/** Answers with a GraphQL-shaped error body, for failures before Apollo sees the request. */
export function sendGraphQLError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  if (res.headersSent) return;
  noteRefusal(code);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code, ...extra } }] }));
}

/** Answers with a JSON body that no cache keeps; `headers` adds to (or overrides) the defaults. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

/**
 * The first string in a request (query text, operation name or variables) that no database could
 * store: one holding the NUL character or a lone UTF-16 surrogate. Null when all are well formed.
 */
export function findInvalidText(value: unknown, depth = 0): string | null {
  if (typeof value === "string") return value.includes("\u0000") || !value.isWellFormed() ? value : null;
  if (depth > 64 || value === null || typeof value !== "object") return null;
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    const found = findInvalidText(item, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

function toHeaderMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

function sendStored(res: ServerResponse, answer: StoredAnswer): void {
  noteAnsweredWithout(answer.operation);
  for (const [name, value] of answer.headers) res.setHeader(name, value);
  res.statusCode = answer.status;
  res.setHeader("content-length", Buffer.byteLength(answer.body));
  res.end(answer.body);
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === "") return undefined;
  // Apollo decides what a non-JSON body means (CSRF prevention, 400 on nonsense); only JSON is parsed here.
  if (!contentType?.includes("json")) return raw;
  return JSON.parse(raw) as unknown;
}

/**
 * Serves an Apollo server over node:http: GraphQL at `path`, `/health` (the process is up),
 * `/ready` (its dependencies answer), plus any extra routes. Every response carries the request id.
 */
export function createGraphQLHttpServer<Context extends ApolloBaseContext>(options: GraphQLHttpServerOptions<Context>) {
  const { apollo, logger, path = "/graphql", maxBodyBytes = 1_048_576, routes = {}, guards = [], middleware = [], answers } = options;
  const shutdownGraceMs = options.shutdownGraceMs ?? 10_000;
  const shutdownDelayMs = options.shutdownDelayMs ?? 0;
  const service = options.service ?? "graphql";
  // Apollo is started by the caller after this (addPlugin must come before start).
  apollo.addPlugin(requestObservationPlugin<Context>(service));
  let draining = false;
  const inFlight = new Set<ServerResponse>();

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, requestId: string, url: URL): Promise<void> {
    for (const guard of guards) {
      if (await guard(req, res, requestId)) return;
    }
    let raw = "";
    let body: unknown;
    let lookup: AnswerLookup | undefined;
    try {
      if (req.method === "POST") raw = await readRequestBody(req, maxBodyBytes);
      lookup = answers?.lookup(req, raw, url);
      if (lookup?.hit) {
        sendStored(res, lookup.hit);
        return;
      }
      body = req.method === "POST" ? parseBody(raw, req.headers["content-type"]) : undefined;
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendGraphQLError(res, 413, "BAD_REQUEST", `The request body is larger than ${maxBodyBytes} bytes.`);
      } else {
        sendGraphQLError(res, 400, "BAD_REQUEST", "The request body is not valid JSON.");
      }
      return;
    }
    if (findInvalidText(body) !== null || findInvalidText([...url.searchParams.values()]) !== null) {
      sendGraphQLError(
        res,
        400,
        "BAD_USER_INPUT",
        "The request holds text that is not valid: the NUL character (U+0000) or a lone UTF-16 surrogate. Remove it and try again.",
      );
      return;
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? "GET", headers: toHeaderMap(req), search: url.search, body },
      context: () => options.context(req, requestId),
    });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      lookup?.keep?.({
        status: res.statusCode,
        headers: [...response.headers],
        body: response.body.string,
        operation: observedOperation(),
      });
      // a known length keeps the answer one write, not chunked (compression middleware sends its headers before the body)
      if (!res.hasHeader("content-length")) res.setHeader("content-length", Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const requestId = requestIdFrom(req.headers);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    // While draining, a keep-alive client is told to take its next request elsewhere.
    if (draining) res.setHeader("connection", "close");
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
    const started = performance.now();
    const { pathname } = url;
    try {
      if (!(await runMiddleware(middleware, req, res))) return;
      if (pathname === "/health") sendJson(res, 200, { status: "up" });
      else if (pathname === "/ready") {
        if (draining) sendJson(res, 503, { status: "draining", checks: {} });
        else {
          const report = options.readiness ? await options.readiness() : { ready: true, checks: {} };
          sendJson(res, report.ready ? 200 : 503, { status: report.ready ? "ready" : "not ready", checks: report.checks });
        }
      } else if (routes[pathname]) await routes[pathname](req, res);
      else if (pathname === path || pathname === "/") await handleGraphQL(req, res, requestId, url);
      else sendJson(res, 404, { error: "not found" });
    } catch (error) {
      logger.error({ err: error, requestId }, "request failed");
      sendGraphQLError(res, 500, "INTERNAL_SERVER_ERROR", "Internal server error.");
    } finally {
      logger.debug(
        { requestId, method: req.method, path: pathname, status: res.statusCode, ms: Math.round(performance.now() - started) },
        "request",
      );
    }
  }

  // GraphQL requests run in a span continuing the caller's trace, and are counted; /health, /ready, /metrics are not.
  const isGraphQL = (req: IncomingMessage, pathname: string) =>
    req.method !== "OPTIONS" && (pathname === path || pathname === "/") && !routes[pathname];
  const server = createServer((req, res) => {
    // parsed once per request: routing, the span's path and Apollo's search string all come from it
    const url = new URL(req.url ?? "/", "http://internal");
    // a GraphQL request's own calls to other subgraphs end before its caller gives up (CALL_BUDGET_HEADER)
    void (isGraphQL(req, url.pathname)
      ? observeGraphQLHttpRequest(service, req, res, url.pathname, () => withCallerBudget(req.headers, () => handle(req, res, url)))
      : handle(req, res, url));
  });
  server.keepAliveTimeout = 65_000;

  return {
    server,
    /** Starts listening; port 0 picks a free port (tests). */
    async listen(port: number, host = "127.0.0.1"): Promise<RunningHttpServer> {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const url = `http://${host}:${address.port}${path}`;
      return {
        server,
        url,
        async close() {
          // Refuse new connections and drop idle keep-alive ones; requests in flight finish, within the grace period.
          draining = true;
          if (shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, shutdownDelayMs));
          for (const res of inFlight) if (!res.headersSent) res.setHeader("connection", "close");
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          const forced = setTimeout(() => {
            logger.warn({ graceMs: shutdownGraceMs }, "requests still running after the shutdown grace period; closing their connections");
            server.closeAllConnections();
          }, shutdownGraceMs);
          await closed;
          clearTimeout(forced);
          await apollo.stop();
          await flushTraces();
        },
      };
    },
  };
}
