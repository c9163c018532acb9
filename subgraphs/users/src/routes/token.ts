import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { serviceClientOf, signServiceToken } from "@storefront/auth";
import { BodyTooLargeError, type HttpRoute, type Logger, readRequestBody, sendJson } from "@storefront/service";
import type { KeyRing } from "../auth/signing-keys.ts";
import { type CredentialThrottle, Throttled } from "../data/throttles.ts";

/** Path of the OAuth 2.0 token endpoint, where services trade their client credentials for a bearer token. */
export const TOKEN_PATH = "/oauth/token";

/** Longest service token lifetime; shorter when user access tokens live shorter (retired keys stay published that long). */
const MAX_SERVICE_TOKEN_TTL_SECONDS = 300;
const MAX_BODY_BYTES = 4_096;

type OAuthError = "invalid_request" | "invalid_client" | "unsupported_grant_type" | "invalid_scope" | "temporarily_unavailable";

/** RFC 6749 §5.1: token responses carry `Cache-Control: no-store` (sendJson's default) and `Pragma: no-cache`. */
const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void =>
  sendJson(res, status, body, { pragma: "no-cache", ...headers });

/** An error response as RFC 6749 §5.2 shapes it. */
function refuse(res: ServerResponse, status: number, error: OAuthError, description: string): void {
  const challenge: Record<string, string> = status === 401 ? { "www-authenticate": 'Basic realm="storefront", charset="UTF-8"' } : {};
  send(res, status, { error, error_description: description }, challenge);
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
/** Compares two secrets in constant time; comparing digests keeps their lengths from leaking too. */
const sameSecret = (expected: string, given: string) => timingSafeEqual(digest(expected), digest(given));

/** Undoes application/x-www-form-urlencoded encoding (RFC 6749 Appendix B): '+' is a space, then %XX escapes. */
const formDecode = (value: string) => decodeURIComponent(value.replaceAll("+", " "));

type Credentials = { readonly clientId: string; readonly clientSecret: string };

/** The client's credentials from HTTP Basic (client_secret_basic) or the form (client_secret_post); a string explains a refusal. */
function credentialsOf(req: IncomingMessage, form: URLSearchParams): Credentials | null | string {
  const fromForm = form.has("client_id") || form.has("client_secret");
  const header = req.headers.authorization;
  if (header !== undefined) {
    if (fromForm) return "Authenticate the client one way: HTTP Basic or the form, not both.";
    const match = /^Basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(header);
    if (!match?.[1]) return "The Authorization header must be HTTP Basic client credentials.";
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return "The Basic credentials must be client_id:client_secret.";
    try {
      // RFC 6749 §2.3.1: both halves are form-urlencoded before they are joined (a space may come as '+')
      return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
    } catch {
      return "The Basic credentials are not validly encoded.";
    }
  }
  const clientId = form.get("client_id");
  const clientSecret = form.get("client_secret");
  return clientId && clientSecret ? { clientId, clientSecret } : null;
}

export interface TokenRouteOptions {
  readonly keys: KeyRing;
  /** Client id → its secret; a registered client without one gets no token. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The lifetime of a user's access token; service tokens never outlive it. */
  readonly accessTokenTtlSeconds: number;
  /** Failed client authentications, by client id and address. */
  readonly throttle: CredentialThrottle;
  /** The address a request comes from, as the throttle counts it. */
  readonly clientAddress: (req: IncomingMessage) => string | null;
  readonly logger: Logger;
}

/**
 * POST /oauth/token: the client-credentials grant (RFC 6749 §4.4) for the shop's own services, e.g. the checkout
 * in the orders subgraph, which reserves stock and reads carts in other subgraphs. The tokens are ordinary access
 * tokens (same keys, issuer and audience) with role SERVICE and the scopes registered for the client in
 * @storefront/auth; a `scope` parameter may ask for fewer.
 */
export function tokenRoute({ keys, secrets, accessTokenTtlSeconds, throttle, clientAddress, logger }: TokenRouteOptions): HttpRoute {
  const ttlSeconds = Math.min(MAX_SERVICE_TOKEN_TTL_SECONDS, accessTokenTtlSeconds);
  return async (req, res) => {
    if (req.method !== "POST") {
      send(res, 405, { error: "invalid_request", error_description: "Use POST." }, { allow: "POST" });
      return;
    }
    if (!req.headers["content-type"]?.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      refuse(res, 400, "invalid_request", "Send the parameters as application/x-www-form-urlencoded.");
      return;
    }
    let form: URLSearchParams;
    try {
      form = new URLSearchParams(await readRequestBody(req, MAX_BODY_BYTES));
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      refuse(res, 413, "invalid_request", `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
      return;
    }

    const credentials = credentialsOf(req, form);
    if (typeof credentials === "string") {
      refuse(res, 400, "invalid_request", credentials);
      return;
    }
    if (credentials === null) {
      refuse(res, 401, "invalid_client", "Client authentication is required.");
      return;
    }
    const attempt = { subject: credentials.clientId, client: clientAddress(req) };
    try {
      await throttle.assertAllowed(attempt);
    } catch (error) {
      if (!(error instanceof Throttled)) throw error;
      // RFC 6749 has no code for "too many attempts"; temporarily_unavailable (try later) is the nearest, HTTP 429 says why.
      const description = `Too many failed client authentications; try again in ${error.retryAfterSeconds} seconds.`;
      send(
        res,
        429,
        { error: "temporarily_unavailable", error_description: description },
        { "retry-after": String(error.retryAfterSeconds) },
      );
      return;
    }
    const client = serviceClientOf(credentials.clientId);
    const secret = Object.hasOwn(secrets, credentials.clientId) ? secrets[credentials.clientId] : undefined;
    if (!client || secret === undefined || !sameSecret(secret, credentials.clientSecret)) {
      logger.warn({ clientId: credentials.clientId.slice(0, 100), address: attempt.client }, "service client authentication failed");
      await throttle.recordFailure(attempt);
      refuse(res, 401, "invalid_client", "Client authentication failed.");
      return;
    }
    await throttle.recordSuccess(attempt);
    if (form.get("grant_type") !== "client_credentials") {
      refuse(res, 400, "unsupported_grant_type", "Only the client_credentials grant is offered.");
      return;
    }
    const asked = form.get("scope");
    const scopes = asked === null ? [...client.scopes] : [...new Set(asked.split(" ").filter(Boolean))];
    const foreign = scopes.filter((scope) => !client.scopes.includes(scope));
    if (scopes.length === 0 || foreign.length > 0) {
      refuse(res, 400, "invalid_scope", `Client ${credentials.clientId} may ask for: ${client.scopes.join(" ")}.`);
      return;
    }

    try {
      const signed = await signServiceToken(credentials.clientId, scopes, await keys.signer(), { ttlSeconds });
      send(res, 200, { access_token: signed.token, token_type: "Bearer", expires_in: ttlSeconds, scope: scopes.join(" ") });
    } catch (error) {
      logger.error({ err: error }, "could not sign a service token");
      refuse(res, 503, "temporarily_unavailable", "The signing key is unavailable; try again shortly.");
    }
  };
}
