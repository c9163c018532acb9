import type { IncomingMessage } from "node:http";
import type { HttpMiddleware } from "@storefront/service";

/**
 * An AbortSignal per request that aborts when the client's connection closes before its answer was sent, so the
 * router stops calling subgraphs for someone who is no longer there. The middleware marks each request; the request
 * context picks its signal up with `signalOf(req)`.
 */
export function createClientDisconnectSignals() {
  const signals = new WeakMap<IncomingMessage, AbortSignal>();
  const middleware: HttpMiddleware = (req, res, next) => {
    const controller = new AbortController();
    signals.set(req, controller.signal);
    // `close` also follows a complete answer; only an unfinished one means the client left.
    res.once("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    next();
  };
  return {
    middleware,
    /** The request's signal; one that never aborts for a request the middleware did not see. */
    signalOf: (req: IncomingMessage): AbortSignal => signals.get(req) ?? neverAborted,
  };
}

const neverAborted = new AbortController().signal;
