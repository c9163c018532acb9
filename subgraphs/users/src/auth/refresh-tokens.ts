import { createHash, randomBytes } from "node:crypto";

const TOKEN_BYTES = 32;
// 32 bytes in base64url without padding.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A new opaque refresh token (256 random bits, base64url) and the hash that is stored instead of it. */
export function newRefreshToken(): { token: string; tokenHash: string } {
  const token = randomBytes(TOKEN_BYTES).toString("base64url");
  return { token, tokenHash: hashRefreshToken(token) };
}

/** SHA-256 is enough here: the token is 256 random bits, so there is nothing to guess and no need to slow guessing. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/** True when the text could be one of our refresh tokens (checked before any database work). */
export function looksLikeRefreshToken(text: string): boolean {
  return TOKEN_SHAPE.test(text);
}
