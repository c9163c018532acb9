import type { IncomingMessage } from "node:http";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { HttpMiddleware } from "@storefront/service";
import compression from "compression";
import Negotiator from "negotiator";

// brotli's default quality (11) costs far more CPU than it saves bytes for answers made per request.
const brotliOptions = { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } };

/**
 * Compresses answers of at least `minBytes` with brotli or gzip, whichever the client prefers
 * (listings and account pages are repetitive JSON that shrinks 5-10x). Null when turned off.
 */
export function createCompressionMiddleware(minBytes: number): HttpMiddleware | null {
  if (minBytes === 0) return null;
  return compression({ threshold: minBytes, brotli: brotliOptions }) as HttpMiddleware;
}

/** The encodings a kept answer is stored in, besides its plain text. */
export type KeptEncoding = "br" | "gzip";

/**
 * The encoding the middleware above would choose for `req` if it is br or gzip, negotiated as it does (the same
 * `negotiator` version, the same encodings and preferences); null for anything else, which the middleware then handles.
 */
export function keptEncodingFor(req: IncomingMessage): KeptEncoding | null {
  if (!req.headers["accept-encoding"]) return null;
  // @types/negotiator has 0.6.3's signature; 0.6.4 (the version `compression` pins) also takes the order for ties
  const negotiator = new Negotiator(req) as Negotiator & { encoding(available: string[], preferred: string[]): string | undefined };
  const chosen = negotiator.encoding(["br", "gzip", "deflate", "identity"], ["br", "gzip"]);
  return chosen === "br" || chosen === "gzip" ? chosen : null;
}

/** `body` encoded as the middleware would encode it (same brotli quality, gzip's defaults), all at once. */
export function encodeKept(body: string, encoding: KeptEncoding): Buffer {
  return encoding === "br" ? brotliCompressSync(body, brotliOptions) : gzipSync(body);
}
