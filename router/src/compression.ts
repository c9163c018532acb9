import { constants } from "node:zlib";
import type { HttpMiddleware } from "@storefront/service";
import compression from "compression";

/**
 * Compresses answers of at least `minBytes` with brotli or gzip, whichever the client prefers
 * (listings and account pages are repetitive JSON that shrinks 5-10x). Null when turned off.
 */
export function createCompressionMiddleware(minBytes: number): HttpMiddleware | null {
  if (minBytes === 0) return null;
  // brotli's default quality (11) costs far more CPU than it saves bytes for answers made per request.
  return compression({ threshold: minBytes, brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } } }) as HttpMiddleware;
}
