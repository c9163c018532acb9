import path from "node:path";
import { commaList, flag, parseEnv, port, type SubgraphName, serviceEnv, subgraphNames, workersSetting } from "@storefront/service";
import { z } from "zod";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const url = (description: string) =>
  z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(description);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
/** A limit: a whole number, 0 turning it off. */
const limitOrZero = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
/** A number of requests, or `off` (null). */
const requestsOrOff = (fallback: number) =>
  z.union([z.literal("off").transform(() => null), z.coerce.number().int().positive()]).default(fallback);

/** `subgraph:milliseconds` pairs, comma-separated (`payments:10000,inventory:2000`), keyed by subgraph name. */
function subgraphMilliseconds() {
  return z
    .string()
    .default("")
    .transform((value, ctx) => {
      const byName: Partial<Record<SubgraphName, number>> = {};
      for (const pair of value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean)) {
        const [name = "", ms = "", ...rest] = pair.split(":").map((part) => part.trim());
        const known = (subgraphNames as readonly string[]).includes(name);
        if (!known || !/^[1-9][0-9]*$/.test(ms) || rest.length > 0) {
          ctx.addIssue({
            code: "custom",
            message: `"${pair}" is not subgraph:milliseconds with a subgraph among ${subgraphNames.join(", ")} and a positive whole number`,
          });
          continue;
        }
        byName[name as SubgraphName] = Number(ms);
      }
      return byName;
    });
}

/** Browser origins a developer's local frontend runs on (Vite, Next.js, `npm start`'s web app). */
export const localDevOrigins = [
  "http://127.0.0.1:3000",
  "http://localhost:3000",
  "http://127.0.0.1:5173",
  "http://localhost:5173",
  "http://127.0.0.1:4000",
  "http://localhost:4000",
];

/**
 * Every setting of the router, read once at start from the environment and validated together.
 * Each `describe` is the documentation: `npm run settings:docs` writes router/README.md's table from it.
 */
export const routerSettingsShape = {
  ...serviceEnv,
  PORT: port(4000).describe("Port of /graphql, /health, /ready and /metrics."),
  // All cores (router/src/main.ts): per worker are its connections, APQ, response cache, verified tokens and
  // in-memory rate-limit counts (see README).
  WORKERS: workersSetting(),
  SUPERGRAPH_PATH: z
    .string()
    .default(path.join(repoRoot, "schema", "supergraph.graphql"))
    .describe("The composed supergraph; reloaded when the file changes, without dropping requests."),
  ...(Object.fromEntries(
    subgraphNames.map((name) => [
      `${name.toUpperCase()}_URL`,
      url(`The ${name} subgraph's GraphQL URL; default: its routing URL in the supergraph.`),
    ]),
  ) as Record<`${Uppercase<(typeof subgraphNames)[number]>}_URL`, ReturnType<typeof url>>),
  JWKS_URL: url("The users subgraph's signing keys; default: /.well-known/jwks.json next to USERS_URL."),
  JWKS_REFETCH_COOLDOWN_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(30_000)
    .describe("Least time between two JWKS refetches caused by tokens with an unknown key id."),
  READINESS_PROBE_TIMEOUT_MS: positiveInt(2_000).describe("How long /ready waits for each subgraph's answer."),
  MAX_BODY_BYTES: positiveInt(1_048_576).describe("Largest accepted request body; a bigger one is answered 413."),
  INTROSPECTION: flag(undefined).describe("Allow schema introspection; default: on, except with NODE_ENV=production."),
  GRAPHIQL_ENABLED: flag(undefined).describe(
    "Serve the offline GraphQL IDE (GraphiQL, every file from the router) at /graphiql; default: on, except with NODE_ENV=production.",
  ),
  APOLLO_TELEMETRY_DISABLED: flag(true).describe(
    "Keep @apollo/gateway from sending usage data to Apollo (and probing cloud metadata addresses). Set `false` to opt in.",
  ),
  CORS_ORIGINS: commaList()
    .default(localDevOrigins)
    .describe(
      "Browser origins allowed to call the API (comma-separated, exact `scheme://host:port`, or `*` for any); default: local dev origins on ports 3000, 4000 and 5173.",
    ),
  CORS_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(600).describe("How long browsers may cache a CORS preflight answer."),
  COMPRESSION_MIN_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(1_024)
    .describe("Answers at least this large are compressed (br or gzip) when the client accepts it; 0 turns compression off."),
  // Traffic to subgraphs (router/src/subgraphs/): connection pool, deadlines and a circuit breaker per subgraph.
  SUBGRAPH_TIMEOUT_MS: positiveInt(5_000).describe(
    "How long the router waits for a subgraph's whole answer; past it, the fields that subgraph would have filled are null with a SERVICE_UNAVAILABLE error, and the rest of the answer is sent.",
  ),
  SUBGRAPH_TIMEOUTS: subgraphMilliseconds().describe(
    "Timeouts of single subgraphs, overriding SUBGRAPH_TIMEOUT_MS: comma-separated `subgraph:milliseconds`, e.g. `payments:10000,inventory:2000`.",
  ),
  SUBGRAPH_MAX_CONNECTIONS: positiveInt(64).describe(
    "Most open (kept-alive) connections from the router to each subgraph; further requests wait for a free one, within their timeout.",
  ),
  SUBGRAPH_BREAKER_FAILURES: positiveInt(5).describe(
    "Consecutive failed calls to a subgraph (timeout, unreachable, HTTP 5xx or 429, unreadable answer) that open its circuit: while open, the router does not call it and its fields fail at once.",
  ),
  SUBGRAPH_BREAKER_COOLDOWN_MS: positiveInt(10_000).describe(
    "How long an open circuit stays open; then one trial call goes through: its success closes the circuit, its failure opens it again.",
  ),
  SUBGRAPH_DEDUPLICATE_QUERIES: flag(true).describe(
    "Share one subgraph call among identical queries in flight at the same time: the same subgraph, operation, variables and Authorization header (never across users' tokens, never for mutations). Fifty customers opening the same page then cost the subgraph one call; each request keeps its own request id in logs and traces.",
  ),
  // Rate limits (router/src/rate-limit.ts): per client address and per signed-in user, on /graphql only.
  TRUSTED_PROXY_HOPS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10)
    .default(0)
    .describe(
      "How many proxies in front of the router append to X-Forwarded-For (a load balancer: 1). The client address rate limits count by is the entry the outermost of them saw; 0: the connection's peer. Set the users subgraph's TRUSTED_PROXY_HOPS to this + 1.",
    ),
  RATE_LIMIT_PER_ADDRESS: requestsOrOff(1_200).describe(
    "GraphQL requests one client address may send per RATE_LIMIT_WINDOW_SECONDS, signed in or not; more are answered 429 RATE_LIMITED with Retry-After. `off` turns the limit off.",
  ),
  RATE_LIMIT_PER_USER: requestsOrOff(600).describe(
    "GraphQL requests with one signed-in user's token per RATE_LIMIT_WINDOW_SECONDS, from all addresses together; more are answered 429 RATE_LIMITED with Retry-After. `off` turns the limit off.",
  ),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt(60).describe(
    "The rate-limit window; a budget is full again when its window, counted from its first request, ends.",
  ),
  RATE_LIMIT_DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .optional()
    .describe(
      "A PostgreSQL database where every router shares its rate-limit counts (table router_rate_limits, created if missing); default: each router counts in memory. When it is unreachable, each router counts on its own until it answers.",
    ),
  // Operation limits (router/src/limits/): checked before the query planner runs; an operation over one is
  // answered 400 OPERATION_LIMIT_EXCEEDED with extensions.limit and extensions.max.
  MAX_DEPTH: limitOrZero(15).describe(
    "Deepest nesting of fields in an operation (`{ a { b } }` is 2 deep); fragments add no level, `__schema` introspection is not counted. 0 turns the limit off.",
  ),
  MAX_ALIASES: limitOrZero(30).describe(
    "Aliases in an operation (`cheap: products(...)`), counted through its fragments; aliases of `__typename` are free. 0 turns the limit off.",
  ),
  MAX_ROOT_FIELDS: limitOrZero(20).describe(
    "Fields at the top of an operation, each aliased copy counted (`a: products b: products` is 2). 0 turns the limit off.",
  ),
  MAX_TOKENS: limitOrZero(2_000).describe(
    "Lexical tokens in a document (names, punctuation, values; not whitespace or comments), counted while it is parsed: a longer document is refused as soon as it passes the limit, before it is built. 0 turns the limit off.",
  ),
  MAX_DIRECTIVES: limitOrZero(50).describe(
    "Directives used in an operation (`@include`, `@skip`, ...), counted through its fragments. 0 turns the limit off.",
  ),
  MAX_COST: limitOrZero(5_000).describe(
    "Estimated cost of an operation, with the variables sent (Apollo's demand-control rules): an object costs 1 (or its `@cost` weight), a leaf 0, a mutation field 10, and a list multiplies what it holds by its size: its `@listSize` slicing argument (`first`), else its assumed size, else COST_DEFAULT_LIST_SIZE. Introspection is free. 0 turns the limit off.",
  ),
  COST_DEFAULT_LIST_SIZE: positiveInt(10).describe(
    "Items the cost estimate assumes for a list field without `@listSize` in the supergraph.",
  ),
  // Persisted operations (router/src/persisted-operations.ts): automatic persisted queries and a trusted-documents manifest.
  APQ_ENABLED: flag(true).describe(
    "Automatic persisted queries: a client may send only `extensions.persistedQuery.sha256Hash` for a query it sent before (kept in memory, least recently used dropped first); an unknown hash is answered PERSISTED_QUERY_NOT_FOUND and the client sends the text again.",
  ),
  PERSISTED_OPERATIONS_MODE: z
    .enum(["off", "prefer", "safelist"])
    .default("off")
    .describe(
      "`off`: no manifest. `prefer`: a client may send a manifest operation's id instead of its text (`extensions.persistedQuery.sha256Hash` or `documentId`), and other operations still run. `safelist`: only manifest operations run, by id or with the same text (whitespace, commas and comments aside); any other is refused with PERSISTED_QUERY_NOT_IN_LIST, except `{ __typename }` and introspection (when INTROSPECTION allows it).",
    ),
  PERSISTED_OPERATIONS_PATH: z
    .string()
    .optional()
    .describe(
      "The manifest of persisted operations: Apollo's persisted query manifest (`generate-persisted-query-manifest`) or GraphQL Code Generator's `persisted-documents.json` (client preset, `persistedDocuments: true`); required unless PERSISTED_OPERATIONS_MODE is off. Read again whenever it changes; a file that fails to load leaves the previous list in force.",
    ),
  // Response cache (router/src/response-cache.ts): whole answers to anonymous queries, as long as the subgraphs'
  // @cacheControl hints allow, emptied by the catalog's and inventory's events.
  RESPONSE_CACHE_ENABLED: flag(true).describe(
    "Keep whole answers to anonymous queries (no Authorization header) in memory as long as the subgraphs' @cacheControl hints allow (catalog 60 s, stock 30 s; anything unhinted is never kept), and answer the same request (method, body, query string, Content-Type, Accept) from there before parsing it; operations that ask for the schema alone ({ __typename }) are kept 60 s. Emptied whenever a catalog.product_changed, catalog.category_changed or inventory.availability_changed event arrives, and when the supergraph changes; without an event bus (KAFKA_BROKERS unset in distributed mode) an answer may be as old as its hint. `Cache-Control` headers for CDNs are sent either way.",
  ),
  RESPONSE_CACHE_MAX_BYTES: positiveInt(67_108_864).describe(
    "Most memory (characters of the kept requests and answers, about bytes) the response cache holds; past it the least recently used answers go first.",
  ),
  KAFKA_BROKERS: commaList()
    .optional()
    .describe(
      "Comma-separated Kafka brokers the router follows catalog and inventory events on, to empty its response cache; without them (distributed mode) cached answers live as long as their hints. `npm start` hands the router its in-process bus instead.",
    ),
  KAFKA_CLIENT_ID: z.string().default("storefront-router").describe("The router's Kafka client id."),
  KAFKA_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/)
    .default("")
    .describe("Prefix of every topic and consumer group (`<namespace>.storefront.catalog`): the subgraphs' KAFKA_NAMESPACE."),
};

export type RouterSettings = ReturnType<typeof readRouterSettings>;

/** Reads and checks the router's settings; throws InvalidEnvironmentError listing every problem. */
export function readRouterSettings(env: Record<string, string | undefined> = process.env) {
  return parseEnv("router", routerSettingsShape, env);
}

/** `ORDERS_URL`-style overrides keyed by subgraph name as it appears in the supergraph. */
export function subgraphUrlOverrides(settings: RouterSettings): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const name of subgraphNames) {
    const value = settings[`${name.toUpperCase()}_URL` as "USERS_URL"];
    if (value) overrides[name] = value;
  }
  return overrides;
}

/** Where the users subgraph publishes its signing keys by default: next to its GraphQL URL (subgraphs look there too). */
export function defaultJwksUrl(subgraphUrls: Readonly<Record<string, string>>): URL {
  return new URL("/.well-known/jwks.json", subgraphUrls.users ?? "http://127.0.0.1:4001/graphql");
}
