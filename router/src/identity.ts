import type { IncomingMessage } from "node:http";
import { HeaderMap } from "@apollo/server";
import { type VerifyAccessToken, type Viewer, viewerFromAuthorization } from "@storefront/auth";
import { clientAddressOf } from "@storefront/service";
import { GraphQLError } from "graphql";

/** Who is asking and from where, as the router passes it on to every subgraph. */
export interface Caller {
  /** Verified from the bearer token; null for anonymous requests. */
  readonly viewer: Viewer | null;
  /** The client's Authorization header, forwarded so subgraphs verify the token themselves; null without one. */
  readonly authorization: string | null;
  /** `X-Forwarded-For` for subgraph requests: what the client sent, then the address the router saw it connect from. */
  readonly forwardedFor: string;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The `X-Forwarded-For` chain with this hop appended (every proxy appends the address it saw). */
export function forwardedForOf(req: IncomingMessage): string {
  const incoming = headerValue(req.headers["x-forwarded-for"])?.trim();
  // with no trusted hops, the connection's peer (without the `::ffff:` prefix of dual-stack sockets)
  const peer = clientAddressOf(req, 0) ?? "unknown";
  return incoming ? `${incoming}, ${peer}` : peer;
}

/**
 * Answers a refused token with HTTP 401 and a `WWW-Authenticate` challenge (RFC 6750), or 503 when
 * the signing keys could not be fetched: that is our outage, and a client must not throw its token away.
 */
function withHttpStatus(error: GraphQLError): GraphQLError {
  const unavailable = error.extensions.reason === "keys_unavailable";
  const headers = new HeaderMap(
    unavailable
      ? [["retry-after", "5"]]
      : [["www-authenticate", `Bearer error="invalid_token", error_description="${String(error.extensions.reason ?? "invalid")}"`]],
  );
  return new GraphQLError(error.message, {
    originalError: error.originalError ?? undefined,
    extensions: { ...error.extensions, http: { status: unavailable ? 503 : 401, headers } },
  });
}

/**
 * Identifies the caller of a request. A request without an Authorization header is anonymous; one
 * with a header that does not hold a valid access token is refused as a whole (the thrown
 * GraphQLError answers it with 401 UNAUTHENTICATED and `extensions.reason`) and never executed.
 */
export async function identifyCaller(req: IncomingMessage, verify: VerifyAccessToken): Promise<Caller> {
  const authorization = headerValue(req.headers.authorization) ?? null;
  let viewer: Viewer | null;
  try {
    viewer = await viewerFromAuthorization(authorization ?? undefined, verify);
  } catch (error) {
    throw error instanceof GraphQLError ? withHttpStatus(error) : error;
  }
  return { viewer, authorization, forwardedFor: forwardedForOf(req) };
}
