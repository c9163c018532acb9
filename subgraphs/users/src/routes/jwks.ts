import type { HttpRoute, Logger } from "@storefront/service";
import type { KeyRing } from "../auth/signing-keys.ts";

/** Path of the JWKS, where verifiers (the router, every subgraph) fetch the public signing keys. */
export const JWKS_PATH = "/.well-known/jwks.json";

// Verifiers refetch on an unknown `kid` anyway; a short max-age keeps HTTP caches from hiding a
// freshly rotated key for long.
const CACHE_CONTROL = "public, max-age=60";

/** GET /.well-known/jwks.json: the active key and the retired keys whose tokens may still be valid. */
export function jwksRoute(keys: KeyRing, logger: Logger): HttpRoute {
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ error: "method not allowed" }));
      return;
    }
    try {
      const body = JSON.stringify(await keys.jwks());
      res.writeHead(200, { "content-type": "application/jwk-set+json; charset=utf-8", "cache-control": CACHE_CONTROL });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (error) {
      logger.error({ err: error }, "could not load the signing keys");
      res.writeHead(503, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "retry-after": "5" });
      res.end(JSON.stringify({ error: "signing keys unavailable" }));
    }
  };
}
