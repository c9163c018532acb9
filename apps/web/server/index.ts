// Serves the app's production build (dist/) the way any static host would, plus its runtime configuration at
// /config.json. `npm start` and the browser tests use it; in production any web server or CDN does the same job.
import { spawn } from "node:child_process";
import { existsSync, globSync, mkdirSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import sirv from "sirv";

/** What the app reads from /config.json before it renders (src/config.ts reads the same shape). */
export interface WebAppConfig {
  /** The router's GraphQL endpoint. */
  readonly graphqlUrl: string;
  /** Send each operation's manifest id instead of its text: the router serves this build's persisted-documents.json. */
  readonly persistedDocuments: boolean;
}

export const webAppDir = path.resolve(import.meta.dirname, "..");
/** Where `npm run build -w @storefront/web` writes the app. */
export const webAppDistDir = path.join(webAppDir, "dist");
/** The persisted operations manifest the build writes next to the app, for the router's PERSISTED_OPERATIONS_PATH. */
export const persistedDocumentsFile = (distDir = webAppDistDir) => path.join(distDir, "persisted-documents.json");

/** Every file the build is made from: the app's sources and configuration, and the supergraph its operations are checked against. */
const buildInputs = [
  "index.html",
  "vite.config.ts",
  "codegen.ts",
  "package.json",
  "public/**",
  "src/**",
  "../../schema/supergraph.graphql",
] as const;

/** True when dist/ holds a build newer than every file it is made from (the generated src/gql/ aside). */
export function webAppBuildIsCurrent(distDir = webAppDistDir): boolean {
  const built = path.join(distDir, "index.html");
  if (!existsSync(built) || !existsSync(persistedDocumentsFile(distDir))) return false;
  const builtAt = statSync(built).mtimeMs;
  const inputs = globSync([...buildInputs], {
    cwd: webAppDir,
    exclude: (file) => path.normalize(file).startsWith(path.join("src", "gql")),
  });
  return inputs.every((file) => {
    const stats = statSync(path.join(webAppDir, file));
    return stats.isDirectory() || stats.mtimeMs <= builtAt;
  });
}

/** Builds the app (`npm run build -w @storefront/web`: typed operations, then Vite); rejects with the build's output. */
export function buildWebApp(): Promise<void> {
  return new Promise((resolve, reject) => {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    // Vite follows NODE_ENV: a test runner's NODE_ENV=test would bundle React's development build.
    const env = { ...process.env, NODE_ENV: "production" };
    const child = spawn(npm, ["run", "build", "--silent"], { cwd: webAppDir, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`building the web app failed (exit ${code}):\n${output}`))));
  });
}

const buildLock = path.join(webAppDir, ".build.lock");
/** A lock older than this was left by a build that died. */
const staleLockMs = 5 * 60_000;

/** Runs `build` while holding the build lock: `npm start` and the browser tests may both want a build at once. */
async function withBuildLock<T>(build: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(buildLock); // atomic: exactly one process gets it
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const since = Date.now() - (statSync(buildLock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (since > staleLockMs) rmSync(buildLock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await build();
  } finally {
    rmSync(buildLock, { recursive: true, force: true });
  }
}

/** Builds the app unless dist/ is current (`onBuild` is told first); true when it built. */
export function ensureWebAppBuilt(onBuild?: () => void): Promise<boolean> {
  return withBuildLock(async () => {
    if (webAppBuildIsCurrent()) return false;
    onBuild?.();
    await buildWebApp();
    return true;
  });
}

export interface WebAppServerOptions {
  /** The build to serve; default: apps/web/dist. */
  readonly distDir?: string;
  /** Read on every request of /config.json, so it may name a router that starts after this server. */
  readonly config: () => WebAppConfig;
}

export interface RunningWebApp {
  /** The app's address, e.g. http://127.0.0.1:3000/ */
  readonly url: string;
  /** Its origin, for the router's CORS_ORIGINS. */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * A static file server for the build: hashed files under /assets/ cached for good, everything else revalidated,
 * any path without a file extension answered with index.html (the app's own routes), /config.json from `config`.
 * The file list is read once at start (sirv), so no request can name a file outside dist/.
 */
export function createWebAppServer(options: WebAppServerOptions) {
  const distDir = options.distDir ?? webAppDistDir;
  const files = sirv(distDir, {
    single: true,
    etag: true,
    setHeaders(res, pathname) {
      res.setHeader("cache-control", pathname.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });

  const securityHeaders = (res: ServerResponse, config: WebAppConfig) => {
    const router = new URL(config.graphqlUrl, "http://127.0.0.1").origin;
    res.setHeader(
      "content-security-policy",
      [
        "default-src 'self'",
        `connect-src 'self' ${router}`,
        // Product images live wherever the catalog says (a CDN).
        "img-src 'self' data: https: http:",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join("; "),
    );
    res.setHeader("x-content-type-options", "nosniff");
    res.setHeader("referrer-policy", "no-referrer");
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("Method not allowed\n");
      return;
    }
    const config = options.config();
    securityHeaders(res, config);
    if (new URL(req.url ?? "/", "http://127.0.0.1").pathname === "/config.json") {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : JSON.stringify(config));
      return;
    }
    files(req, res, () => {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("Not found\n");
    });
  };

  return {
    /** Listens on host:port (0: any free port). */
    listen(port: number, host = "127.0.0.1"): Promise<RunningWebApp> {
      const server = createServer(handle);
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          const { port: bound } = server.address() as AddressInfo;
          // A wildcard address is not one a browser can open; loopback is.
          const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
          const origin = `http://${shown}:${bound}`;
          resolve({
            url: `${origin}/`,
            origin,
            close: () =>
              new Promise((done) => {
                server.close(() => done());
                server.closeAllConnections();
              }),
          });
        });
      });
    },
  };
}

export type WebAppServer = ReturnType<typeof createWebAppServer>;
