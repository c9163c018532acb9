// The offline GraphQL IDE at /graphiql. Apollo Sandbox (the landing page at /graphql) loads itself from Apollo's CDN
// and stays blank without internet; GraphiQL and React come from npm here, and the router serves every file itself.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { HttpRoute } from "@storefront/service";

/** Where the IDE's page is served. */
export const graphiqlPath = "/graphiql";

/** Whether the router serves the IDE: GRAPHIQL_ENABLED when set, else on everywhere but in production. */
export function graphiqlEnabled(settings: { readonly GRAPHIQL_ENABLED?: boolean | undefined; readonly NODE_ENV: string }): boolean {
  return settings.GRAPHIQL_ENABLED ?? settings.NODE_ENV !== "production";
}

/** The query the IDE opens with: the catalog, which anyone may read. */
const defaultQuery = `# The catalog is public. For a cart or orders, sign in with
# the login mutation, then add under Headers below:
# {"Authorization": "Bearer <accessToken>"}
query Catalog {
  products(first: 5) {
    totalCount
    edges {
      node {
        sku
        name
        price {
          amount
          currency
        }
      }
    }
  }
}
`;

/** Mounts GraphiQL on the element that names the endpoint; React, ReactDOM and GraphiQL are the UMD globals loaded before. */
const startScript = `"use strict";
(() => {
  const root = document.getElementById("graphiql");
  const fetcher = GraphiQL.createFetcher({ url: new URL(root.dataset.endpoint, window.location.href).href });
  const props = { fetcher, defaultQuery: root.dataset.defaultQuery, shouldPersistHeaders: false };
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
`;

interface Asset {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly etag: string;
}

const requireFromRouter = createRequire(import.meta.url);

/** A file of an installed npm package, resolved the way Node resolves the package for the router. */
function packageFile(packageName: string, file: string): Buffer {
  const manifest = requireFromRouter.resolve(`${packageName}/package.json`);
  return readFileSync(path.join(path.dirname(manifest), file));
}

/** An asset whose URL carries a hash of its content, so a browser may keep it for good and a new version gets a new URL. */
function hashedAsset(name: string, extension: string, contentType: string, body: Buffer): Asset {
  const hash = createHash("sha256").update(body).digest("base64url").slice(0, 16);
  return { path: `${graphiqlPath}/assets/${name}.${hash}.${extension}`, contentType, body, etag: `"${hash}"` };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

function pageOf(endpoint: string, assets: { readonly css: Asset; readonly scripts: readonly Asset[] }): Asset {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · Storefront supergraph</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assets.css.path}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql" data-endpoint="${escapeHtml(endpoint)}" data-default-query="${escapeHtml(defaultQuery)}">Loading GraphiQL…</div>
${assets.scripts.map((script) => `<script src="${script.path}"></script>`).join("\n")}
</body>
</html>
`;
  const body = Buffer.from(html);
  return {
    path: graphiqlPath,
    contentType: "text/html; charset=utf-8",
    body,
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`,
  };
}

/**
 * Only files from this router's origin, and queries only to it: the page cannot reach another host even if a
 * dependency tried. Inline styles are React's; fonts and icons are data: URLs inside GraphiQL's stylesheet.
 */
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

function serve(asset: Asset, cacheControl: string): HttpRoute {
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("Method not allowed\n");
      return;
    }
    const headers = {
      "content-type": asset.contentType,
      "cache-control": cacheControl,
      etag: asset.etag,
      "x-content-type-options": "nosniff",
      "content-security-policy": contentSecurityPolicy,
      "referrer-policy": "no-referrer",
    };
    const known = (req.headers["if-none-match"] ?? "").split(",").map((tag) => tag.trim().replace(/^W\//, ""));
    if (known.includes(asset.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, "content-length": String(asset.body.length) });
    res.end(req.method === "HEAD" ? undefined : asset.body);
  };
}

/**
 * The IDE's routes: its page at /graphiql and its files under /graphiql/assets/, each an exact path (nothing is
 * looked up on disk per request, so no path can reach another file). `endpoint` is where it sends queries.
 */
export function createGraphiqlRoutes(options: { readonly endpoint: string }): Record<string, HttpRoute> {
  const javascript = "text/javascript; charset=utf-8";
  const scripts = [
    hashedAsset("react.production.min", "js", javascript, packageFile("react", "umd/react.production.min.js")),
    hashedAsset("react-dom.production.min", "js", javascript, packageFile("react-dom", "umd/react-dom.production.min.js")),
    hashedAsset("graphiql.min", "js", javascript, packageFile("graphiql", "graphiql.min.js")),
    hashedAsset("start", "js", javascript, Buffer.from(startScript)),
  ];
  const css = hashedAsset("graphiql.min", "css", "text/css; charset=utf-8", packageFile("graphiql", "graphiql.min.css"));
  const page = pageOf(options.endpoint, { css, scripts });
  const routes: Record<string, HttpRoute> = {
    // The page names the current asset URLs, so it is revalidated each time.
    [page.path]: serve(page, "no-cache"),
    [`${graphiqlPath}/`]: (_req, res) => {
      res.writeHead(308, { location: graphiqlPath });
      res.end();
    },
  };
  for (const asset of [...scripts, css]) routes[asset.path] = serve(asset, "public, max-age=31536000, immutable");
  return routes;
}
