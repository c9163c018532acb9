import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { accessTokenContract, type Role, scopesOf } from "@storefront/auth";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

/** An Ed25519 signing key as the users subgraph would hold it. */
export interface TestSigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export async function newSigningKey(kid = `key-${randomUUID()}`): Promise<TestSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" } };
}

/** A JWKS endpoint on a free port whose key list a test can change, counting how often it is fetched. */
export interface TestJwksServer {
  readonly url: URL;
  readonly fetches: { count: number };
  publish(key: TestSigningKey): void;
  close(): Promise<void>;
}

export async function startJwksServer(keys: TestSigningKey[]): Promise<TestJwksServer> {
  const published = [...keys];
  const fetches = { count: 0 };
  const server = createServer((_req, res) => {
    fetches.count++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`),
    fetches,
    publish: (key) => void published.push(key),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TokenOptions {
  readonly userId?: string;
  readonly role?: Role;
  /** Space-separated; default: what the role grants. */
  readonly scope?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Seconds from now; negative for a token that has expired. */
  readonly expiresIn?: number;
  /** Overrides the `kid` header (e.g. one the JWKS does not list). */
  readonly kid?: string;
}

/** Signs an access token the way the users subgraph does, with knobs to break each part of it. */
export async function signToken(key: TestSigningKey, options: TokenOptions = {}): Promise<string> {
  const role = options.role ?? "CUSTOMER";
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role, scope: options.scope ?? scopesOf(role).join(" ") })
    .setProtectedHeader({ alg: "EdDSA", kid: options.kid ?? key.kid, typ: "at+jwt" })
    .setIssuer(options.issuer ?? accessTokenContract.issuer)
    .setAudience(options.audience ?? accessTokenContract.audience)
    .setSubject(options.userId ?? randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 300))
    .sign(key.privateKey);
}

/** An unsigned token (`alg: none`) carrying valid-looking claims. */
export function unsignedToken(options: { userId: string; role: Role }): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: options.userId,
    role: options.role,
    scope: scopesOf(options.role).join(" "),
    iss: accessTokenContract.issuer,
    aud: accessTokenContract.audience,
    iat: now,
    exp: now + 300,
  };
  return `${encode({ alg: "none", typ: "JWT" })}.${encode(claims)}.`;
}
