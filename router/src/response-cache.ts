import type { IncomingMessage } from "node:http";
import type { ApolloServerPlugin, GraphQLRequestContext } from "@apollo/server";
import { ApolloServerPluginCacheControl } from "@apollo/server/plugin/cacheControl";
import { type EventBus, type KafkaBusSettings, kafkaBusFromSettings } from "@storefront/events";
import type { AnswerStore, Logger, StoredAnswer } from "@storefront/service";
import { routerMetrics } from "@storefront/telemetry";
import { type DocumentNode, type FragmentDefinitionNode, Kind, type SelectionSetNode } from "graphql";
import { LRUCache } from "lru-cache";
import { encodeKept, type KeptEncoding, keptEncodingFor } from "./compression.ts";
import { createInvalidationFeed } from "./response-cache-events.ts";

/*
 * The router's response cache, and the Cache-Control headers of its answers.
 *
 * Headers: each subgraph answers with a Cache-Control header computed by Apollo Server from its @cacheControl hints
 * (catalog: 60 s, stock: 30 s, anything unhinted: no-store); the subgraph data source narrows the request's cache policy
 * by each header (response-cache-policy.ts), so an answer is as cacheable as its least cacheable part. An operation that
 * asks only for the schema (`__typename`, `__schema`, `__type` at its root) touches no subgraph and its answer changes
 * only with the supergraph: SCHEMA_ANSWER_MAX_AGE. The router writes `public, max-age=N` on answers anyone may share
 * (anonymous query, no errors, cacheable), `private, no-store` on every other one. A signed-in caller's answer is never
 * shared (a listing is the same for everyone, but an admin may see archived products), a mutation's never, and nothing of
 * a user (cart, orders, payments, me) has a hint.
 *
 * What is cached: exactly what those headers let a shared HTTP cache keep, and the router is that cache, in front of
 * Apollo: a whole answer marked public, to an anonymous request (no Authorization header), for its max-age, in a
 * bounded LRU store (RESPONSE_CACHE_MAX_BYTES). The key is the request as it arrived: method, query string, body, and
 * the headers Apollo's answer depends on (Content-Type and Accept, and whether a CSRF preflight header is present), so a
 * hit is the answer Apollo gave to the same bytes, through the same checks (persisted operations, operation limits). It
 * is looked up after the middleware (CORS, compression), the rate limits and the body limit, and before anything else:
 * a hit costs neither parsing nor Apollo's pipeline. Hits carry `Age`. A hit for a client that takes br or gzip is sent
 * compressed as the compression middleware would have sent it, from a copy compressed at the first such hit.
 *
 * Invalidation: catalog.product_changed, catalog.category_changed and inventory.availability_changed each empty the whole
 * cache, and so does a new supergraph. Per-entity eviction would not be correct for listings: a new price or a product
 * going out of stock moves products into and out of filtered, sorted pages that never mentioned them. A generation number
 * taken when a request arrives closes the race with requests in flight: an answer computed across an event is not kept.
 * So a cached answer is stale at most as long as an event takes to arrive (the outbox relay is woken on commit; then the
 * bus's delivery); while no event can arrive (the bus is down, or there is none: distributed mode without KAFKA_BROKERS)
 * at most its max-age. With a bus, the cache serves and keeps nothing while the router is not consuming its topics (not
 * yet joined, or the broker away), and forgets what it kept when it consumes again. A CDN gets no events: what it keeps
 * can be max-age old.
 */

/** Seconds a CDN (and this cache) may keep an answer that depends on the schema alone, e.g. `{ __typename }`. */
export const SCHEMA_ANSWER_MAX_AGE = 60;

export interface ResponseCacheSettings extends KafkaBusSettings {
  readonly RESPONSE_CACHE_ENABLED: boolean;
  readonly RESPONSE_CACHE_MAX_BYTES: number;
  /** The compression middleware's threshold (0: off): kept answers at least this large are also kept compressed. */
  readonly COMPRESSION_MIN_BYTES: number;
}

/** What the response cache needs of the router's request context. */
export interface ResponseCacheContext {
  readonly caller: { readonly authorization: string | null };
}

export interface ResponseCacheOptions {
  readonly settings: ResponseCacheSettings;
  readonly logger: Logger;
  /**
   * Where catalog and inventory events arrive (the embedded shop's in-process bus); default: the router's own Kafka bus
   * when KAFKA_BROKERS is set, else none, and cached answers live until their maxAge.
   */
  readonly bus?: EventBus | undefined;
}

const anonymous = (context: ResponseCacheContext): boolean => context.caller.authorization === null;
const isQuery = (request: GraphQLRequestContext<ResponseCacheContext>): boolean => request.operation?.operation === "query";

/**
 * Whether a selection asks only for the schema: `__typename`, `__schema`, `__type`, directly or through fragments. Runs
 * for every query: most stop at their first field, and fragments are looked up only when one is reached.
 */
function asksSchemaOnly(selectionSet: SelectionSetNode, document: DocumentNode, entered: Set<string> = new Set()): boolean {
  return selectionSet.selections.every((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value.startsWith("__");
    if (selection.kind === Kind.INLINE_FRAGMENT) return asksSchemaOnly(selection.selectionSet, document, entered);
    const name = selection.name.value;
    const fragment = document.definitions.find(
      (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === name,
    );
    if (!fragment || entered.has(name)) return false;
    entered.add(name);
    return asksSchemaOnly(fragment.selectionSet, document, entered);
  });
}

/** The max-age of an answer a shared cache may keep (`public, max-age=N`, N > 0), else null. */
function sharedMaxAge(answer: StoredAnswer): number | null {
  if (answer.status !== 200) return null;
  const cacheControl = answer.headers.find(([name]) => name === "cache-control")?.[1];
  const maxAge = cacheControl?.startsWith("public") ? Number(/max-age=(\d+)/.exec(cacheControl)?.[1] ?? 0) : 0;
  return maxAge > 0 ? maxAge : null;
}

/** The key of a request's answer: the request as it arrived, with the headers Apollo's answer depends on. */
function keyOf(req: IncomingMessage, body: string, url: URL): string {
  const { headers } = req;
  const preflight = headers["apollo-require-preflight"] !== undefined || headers["x-apollo-operation-name"] !== undefined;
  return `${req.method} ${url.search}\n${headers["content-type"] ?? ""}\n${headers.accept ?? ""}\n${preflight ? "preflight" : ""}\n${body}`;
}

interface KeptAnswer {
  /** The answer as Apollo gave it, its body plain text. */
  readonly answer: StoredAnswer & { readonly body: string };
  /** Its body's size in bytes. */
  readonly bytes: number;
  /** Date.now() when Apollo gave it. */
  readonly keptAt: number;
  /** Its body compressed, in each encoding a hit has asked for so far: compressed once, not on every hit. */
  readonly encoded: Readonly<Partial<Record<KeptEncoding, Buffer>>>;
}

const encodedBytes = (kept: KeptAnswer) => (kept.encoded.br?.length ?? 0) + (kept.encoded.gzip?.length ?? 0);

/** The response cache's Apollo plugins and its invalidation; see above. */
export function createResponseCache<Context extends ResponseCacheContext>({ settings, logger, ...options }: ResponseCacheOptions) {
  const ownBus = options.bus || !settings.RESPONSE_CACHE_ENABLED ? undefined : kafkaBusFromSettings(settings, logger);
  const bus = options.bus ?? ownBus;
  // sizes in UTF-16 code units: the strings are mostly ASCII, where that is their length in bytes
  const store = new LRUCache<string, KeptAnswer>({
    maxSize: settings.RESPONSE_CACHE_MAX_BYTES,
    sizeCalculation: (kept, key) => key.length + kept.bytes + encodedBytes(kept) + 1,
  });
  let generation = 0;
  const compressFrom = settings.COMPRESSION_MIN_BYTES;

  function invalidate(cause: string): void {
    generation += 1;
    store.clear();
    routerMetrics.responseCacheInvalidated(cause);
    logger.debug({ cause, generation }, "response cache emptied");
  }

  const feed = bus && settings.RESPONSE_CACHE_ENABLED ? createInvalidationFeed({ bus, logger, onEvent: invalidate }) : undefined;
  let wasConsuming = false;

  /** Whether the cache may be used now: without a bus always (maxAge bounds it), with one only while events arrive. */
  function following(): boolean {
    if (!feed) return true;
    const consuming = feed.consuming();
    if (consuming !== wasConsuming) {
      wasConsuming = consuming;
      if (consuming) {
        // back after the broker was away (or joined for the first time): what is kept may have missed events meanwhile
        invalidate("joined");
        logger.info({ groupId: feed.groupId }, "response cache follows catalog and inventory events");
      } else {
        logger.warn({ groupId: feed.groupId }, "response cache paused: catalog and inventory events cannot be followed now");
      }
    }
    return consuming;
  }

  const eligible = (request: GraphQLRequestContext<Context>): boolean =>
    settings.RESPONSE_CACHE_ENABLED && isQuery(request) && anonymous(request.contextValue) && following();

  const lifecycle: ApolloServerPlugin<Context> = {
    async serverWillStart() {
      // The bus joins in the background (a broker that is away is retried); the cache serves once it consumes.
      if (feed) await feed.start();
      else if (settings.RESPONSE_CACHE_ENABLED)
        logger.warn("response cache without an event bus (KAFKA_BROKERS unset): a cached answer may be as old as its maxAge");
      return {
        async serverWillStop() {
          await feed?.stop();
          await ownBus?.close();
        },
      };
    },
  };

  const headers: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async willSendResponse(request) {
          const { response, overallCachePolicy } = request;
          const policy = overallCachePolicy.policyIfCacheable();
          const shareable =
            policy?.scope === "PUBLIC" &&
            isQuery(request) &&
            anonymous(request.contextValue) &&
            response.body.kind === "single" &&
            !response.body.singleResult.errors;
          response.http.headers.set("cache-control", shareable ? `public, max-age=${policy.maxAge}` : "private, no-store");
          // a hit never reaches Apollo: answers.lookup counts it
          if (isQuery(request)) routerMetrics.responseCacheLookup(eligible(request) ? "miss" : "bypass");
        },
      };
    },
  };

  const schemaAnswers: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, overallCachePolicy }) {
          if (operation?.operation === "query" && asksSchemaOnly(operation.selectionSet, document))
            overallCachePolicy.restrict({ maxAge: SCHEMA_ANSWER_MAX_AGE, scope: "PUBLIC" });
        },
      };
    },
  };

  const answers: AnswerStore = {
    lookup(req, body, url) {
      if (req.headers.authorization !== undefined || !following()) return undefined;
      const key = keyOf(req, body, url);
      const kept = store.get(key);
      if (kept) {
        routerMetrics.responseCacheLookup("hit");
        const headers: (readonly [string, string])[] = [
          ...kept.answer.headers,
          ["age", String(Math.floor((Date.now() - kept.keptAt) / 1000))],
        ];
        const encoding = compressFrom > 0 && kept.bytes >= compressFrom ? keptEncodingFor(req) : null;
        if (!encoding) return { hit: { ...kept.answer, headers } };
        let encoded = kept.encoded[encoding];
        if (!encoded) {
          encoded = encodeKept(kept.answer.body, encoding);
          // a new entry (not the same one changed), so the store counts its new size; it expires when the old one would
          store.set(key, { ...kept, encoded: { ...kept.encoded, [encoding]: encoded } }, { ttl: store.getRemainingTTL(key) });
        }
        headers.push(["content-encoding", encoding], ["vary", "Accept-Encoding"]);
        return { hit: { ...kept.answer, headers, body: encoded } };
      }
      const arrivedIn = generation;
      return {
        keep(answer) {
          const maxAge = sharedMaxAge(answer);
          // an event between this request's arrival and its answer may have changed what the answer holds
          if (maxAge === null || generation !== arrivedIn) return;
          store.set(key, { answer, bytes: Buffer.byteLength(answer.body), keptAt: Date.now(), encoded: {} }, { ttl: maxAge * 1000 });
        },
      };
    },
  };

  const plugins: ApolloServerPlugin<Context>[] = [
    lifecycle,
    // The policy comes from the subgraphs' headers; this router writes the header itself (above).
    ApolloServerPluginCacheControl({ calculateHttpHeaders: false }),
    schemaAnswers,
    headers,
  ];

  return {
    plugins,
    /** Whole answers in front of Apollo; undefined with RESPONSE_CACHE_ENABLED=false. */
    answers: settings.RESPONSE_CACHE_ENABLED ? answers : undefined,
    /** Forgets every answer: they were computed over another supergraph. */
    supergraphChanged: () => invalidate("supergraph"),
  };
}
