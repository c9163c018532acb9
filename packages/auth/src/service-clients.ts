import { ErrorCode } from "@storefront/errors";

/** Scopes a service holds to act in another subgraph on a customer's behalf. */
export const serviceScopes = {
  /** Reserve, release and commit stock for orders (inventory). */
  reserveStock: "inventory:reserve",
  /** Read any customer's cart (cart). */
  readCarts: "cart:read",
  /** Read any customer's address book (users). */
  readAddresses: "users:addresses:read",
  /** Read any order (orders). */
  readOrders: "orders:read",
} as const;

/** A service allowed to obtain tokens from the users subgraph with the client-credentials grant. */
export interface ServiceClient {
  /**
   * The token's `sub`: a fixed UUID naming the service, because histories and ledgers record their actors by UUID.
   * No user ever has it.
   */
  readonly subject: string;
  /** Every scope the client may be granted. */
  readonly scopes: readonly string[];
}

/**
 * The service clients and what each may do. Their secrets come from the environment
 * (`SERVICE_CLIENT_SECRET_<CLIENT>`, the same value for the users subgraph and the client); a client without a
 * secret gets no token.
 */
const clients: Readonly<Record<string, ServiceClient>> = {
  // the checkout reads the customer's cart and shipping address and reserves (or releases) the order's stock
  orders: {
    subject: "bd89a402-4ab8-4236-96d6-dcf010073fa5",
    scopes: [serviceScopes.readCarts, serviceScopes.readAddresses, serviceScopes.reserveStock],
  },
  // before releasing a hold no order.placed confirmed, inventory asks orders whether the order exists
  inventory: {
    subject: "d8b610e6-4193-41ff-ae65-19c8e22fb22a",
    scopes: [serviceScopes.readOrders],
  },
};

export const serviceClientIds: readonly string[] = Object.keys(clients);

/** The registered client of that id, or undefined. */
export function serviceClientOf(clientId: string): ServiceClient | undefined {
  return Object.hasOwn(clients, clientId) ? clients[clientId] : undefined;
}

/** Shortest accepted client secret: 32 characters, e.g. `openssl rand -base64 32`. */
export const SERVICE_SECRET_MIN_LENGTH = 32;

/** Where a service gets its tokens, and as whom. */
export interface ServiceTokenSourceOptions {
  /** The users subgraph's token endpoint (`/oauth/token`). */
  readonly tokenUrl: URL;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutMs?: number;
  /** Fetch a new token this long before the cached one expires (default 60 s). */
  readonly renewBeforeExpirySeconds?: number;
}

/** Bearer tokens for one service's calls to other subgraphs. */
export interface ServiceTokens {
  readonly clientId: string;
  /** A valid token: the cached one, or a new one from the token endpoint (one request however many callers wait). */
  token(): Promise<string>;
}

interface TokenResponse {
  readonly access_token?: unknown;
  readonly token_type?: unknown;
  readonly expires_in?: unknown;
  readonly error?: unknown;
}

/**
 * A client of the users subgraph's token endpoint (RFC 6749 §4.4, client_secret_basic). Written here rather than
 * taken from openid-client: that library wants discovery metadata and HTTPS, while this is one form POST inside
 * the shop's network, and the tokens it returns are verified by every subgraph like any other.
 */
export function createServiceTokenSource(options: ServiceTokenSourceOptions): ServiceTokens {
  const { tokenUrl, clientId, clientSecret, timeoutMs = 5_000, renewBeforeExpirySeconds = 60 } = options;
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64");
  let cached: { token: string; renewAt: number } | null = null;
  let pending: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    let response: Response;
    try {
      response = await fetch(tokenUrl, {
        method: "POST",
        headers: {
          authorization: `Basic ${basic}`,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: new URLSearchParams({ grant_type: "client_credentials" }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw ErrorCode.SERVICE_UNAVAILABLE.err("The sign-in service could not be reached; try again shortly.", {
        cause: error,
        extensions: { service: "users", reason: "unreachable" },
      });
    }
    const body = (await response.json().catch(() => ({}))) as TokenResponse;
    if (response.status >= 500 || response.status === 429) {
      throw ErrorCode.SERVICE_UNAVAILABLE.err("The sign-in service failed to answer; try again shortly.", {
        cause: new Error(`token endpoint: HTTP ${response.status}`),
        extensions: { service: "users", reason: "bad_response" },
      });
    }
    if (!response.ok || typeof body.access_token !== "string" || typeof body.expires_in !== "number") {
      // A refused client is a misconfiguration (wrong secret, unknown client): an internal error, not the caller's.
      throw new Error(`the token endpoint refused service client ${clientId}: HTTP ${response.status} ${String(body.error ?? "")}`);
    }
    // renew early, but never spend more than half a token's life on the margin (short-lived tokens stay cached too)
    const renewIn = Math.max(body.expires_in / 2, body.expires_in - renewBeforeExpirySeconds) * 1000;
    cached = { token: body.access_token, renewAt: Date.now() + renewIn };
    return body.access_token;
  }

  return {
    clientId,
    token() {
      if (cached && Date.now() < cached.renewAt) return Promise.resolve(cached.token);
      pending ??= fetchToken().finally(() => {
        pending = null;
      });
      return pending;
    },
  };
}
