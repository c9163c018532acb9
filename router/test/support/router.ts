import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { silentLogger } from "@storefront/service";
import type { GraphQLFormattedError } from "graphql";
import { createRouter, readRouterSettings } from "../../src/index.ts";

export interface TestRouter {
  readonly url: string;
  /** Replaces the supergraph file the router watches. */
  writeSupergraph(sdl: string): void;
  close(): Promise<void>;
}

/** A router over `supergraphSdl` (its subgraph URLs as composed), verifying tokens against `jwksUrl`. */
export async function startTestRouter(supergraphSdl: string, jwksUrl: URL): Promise<TestRouter> {
  const dir = mkdtempSync(path.join(tmpdir(), "router-auth-"));
  const supergraphPath = path.join(dir, "supergraph.graphql");
  writeFileSync(supergraphPath, supergraphSdl);
  const settings = readRouterSettings({
    NODE_ENV: "test",
    SUPERGRAPH_PATH: supergraphPath,
    MAX_BODY_BYTES: "100000",
    JWKS_URL: jwksUrl.href,
    // Tests rotate keys right after the first fetch; production keeps the 30 s cooldown.
    JWKS_REFETCH_COOLDOWN_MS: "0",
  });
  const running = await createRouter({ settings, logger: silentLogger() }).listen(0);
  return {
    url: running.url,
    writeSupergraph: (sdl) => writeFileSync(supergraphPath, sdl),
    async close() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface GraphQLResponse<Data> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { data?: Data | null; errors?: GraphQLFormattedError[] };
}

export interface RequestOptions {
  readonly token?: string;
  readonly variables?: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

/** POSTs an operation to the router, as a client would. */
export async function post<Data = Record<string, unknown>>(
  url: string,
  query: string,
  options: RequestOptions = {},
): Promise<GraphQLResponse<Data>> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<Data>["body"] };
}

/** Each error as `code path`, sorted, e.g. `FORBIDDEN user.audit`: easy to compare whole. */
export function errorsAt(body: { errors?: GraphQLFormattedError[] }): string[] {
  return (body.errors ?? []).map((error) => `${String(error.extensions?.code)} ${(error.path ?? []).join(".")}`).sort();
}
