import { type HttpMiddleware, sendGraphQLError } from "@storefront/service";
import cors from "cors";

/** Request headers a browser app may send: ours, Apollo Client's and W3C trace context. */
const allowedHeaders = [
  "authorization",
  "content-type",
  "x-request-id",
  // Apollo's CSRF prevention lets a request through when it carries one of these (or a JSON content type).
  "apollo-require-preflight",
  "x-apollo-operation-name",
  "apollographql-client-name",
  "apollographql-client-version",
  "traceparent",
  "tracestate",
];

/** Response headers a browser app may read. */
const exposedHeaders = ["x-request-id", "retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy"];

export interface CorsSettings {
  readonly CORS_ORIGINS: readonly string[];
  readonly CORS_MAX_AGE_SECONDS: number;
}

/**
 * CORS for browser apps on other origins. Only listed origins get `Access-Control-Allow-Origin`
 * (a refused preflight is answered without it, so the browser blocks the call); no cookies are
 * involved (tokens travel in the Authorization header), so credentials stay off. Apollo's CSRF
 * prevention still applies to simple requests that skip the preflight.
 */
export function createCorsMiddleware(settings: CorsSettings): HttpMiddleware {
  const anyOrigin = settings.CORS_ORIGINS.includes("*");
  const allowed = new Set(settings.CORS_ORIGINS);
  const isAllowed = (origin: string | undefined) => anyOrigin || (origin !== undefined && allowed.has(origin));
  const withHeaders = cors({
    origin: anyOrigin ? "*" : (origin, callback) => callback(null, isAllowed(origin)),
    methods: ["GET", "POST", "OPTIONS"],
    allowedHeaders,
    exposedHeaders,
    maxAge: settings.CORS_MAX_AGE_SECONDS,
    credentials: false,
  }) as HttpMiddleware;
  return (req, res, next) => {
    const origin = req.headers.origin;
    // A preflight from an origin not on the list fails plainly instead of reaching GraphQL as an OPTIONS request.
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"] && !isAllowed(origin)) {
      res.setHeader("vary", "Origin");
      sendGraphQLError(res, 403, "FORBIDDEN", `Origin ${origin ?? "(none)"} is not allowed to call this API (see CORS_ORIGINS).`);
      return;
    }
    withHeaders(req, res, next);
  };
}
