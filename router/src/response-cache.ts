import type { ApolloServerPlugin, GraphQLRequestContext } from "@apollo/server";
import { ApolloServerPluginCacheControl } from "@apollo/server/plugin/cacheControl";
import ApolloServerPluginResponseCache from "@apollo/server-plugin-response-cache";
import { InMemoryLRUCache } from "@apollo/utils.keyvaluecache";
import { type EventBus, type KafkaBusSettings, kafkaBusFromSettings } from "@storefront/events";
import type { Logger } from "@storefront/service";
import { routerMetrics } from "@storefront/telemetry";
import { createInvalidationFeed } from "./response-cache-events.ts";

/*
 * The router's response cache, and the Cache-Control headers of its answers.
 *
 * What is cached: whole answers to anonymous queries (no Authorization header), without errors, for as long as the
 * subgraphs' @cacheControl hints allow. Each subgraph answers with a Cache-Control header computed by Apollo Server from
 * its hints (catalog: 60 s, stock: 30 s, anything unhinted: no-store); the subgraph data source narrows the request's
 * cache policy by each header (response-cache-policy.ts), so an answer is as cacheable as its least cacheable part. A
 * signed-in caller's answer is never stored nor served from the cache (a listing is the same for everyone, but an admin
 * may see archived products), mutations never, and nothing of a user (cart, orders, payments, me) has a hint.
 * Apollo's response-cache plugin does the keeping (key: query text, operation name, variables) in a bounded in-memory
 * LRU store.
 *
 * Invalidation: catalog.product_changed, catalog.category_changed and inventory.availability_changed each empty the whole
 * cache. Per-entity eviction would not be correct for listings: a new price or a product going out of stock moves
 * products into and out of filtered, sorted pages that never mentioned them. A generation number in every key closes the
 * race with requests in flight: an answer computed before an event is stored under the old generation, where no later
 * request looks. So a cached answer is stale at most as long as an event takes to arrive (the outbox relay is woken on
 * commit; then the bus's delivery); while no event can arrive (the bus is down, or there is none: distributed mode
 * without KAFKA_BROKERS) at most its maxAge. With a bus, the cache serves and keeps nothing while the router is not
 * consuming its topics (not yet joined, or the broker away), and forgets what it kept when it consumes again.
 *
 * Headers: `public, max-age=N` on answers a CDN may share (anonymous query, no errors, cacheable), `private, no-store` on
 * every other one; hits also carry `Age`. A CDN gets no events: what it keeps can be maxAge old.
 */

export interface ResponseCacheSettings extends KafkaBusSettings {
  readonly RESPONSE_CACHE_ENABLED: boolean;
  readonly RESPONSE_CACHE_MAX_BYTES: number;
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

/** The response cache's Apollo plugins and its invalidation; see above. */
export function createResponseCache<Context extends ResponseCacheContext>({ settings, logger, ...options }: ResponseCacheOptions) {
  const ownBus = options.bus || !settings.RESPONSE_CACHE_ENABLED ? undefined : kafkaBusFromSettings(settings, logger);
  const bus = options.bus ?? ownBus;
  const store = new InMemoryLRUCache<string>({ maxSize: settings.RESPONSE_CACHE_MAX_BYTES });
  let generation = 0;

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
          if (isQuery(request))
            routerMetrics.responseCacheLookup(!eligible(request) ? "bypass" : request.metrics.responseCacheHit ? "hit" : "miss");
        },
      };
    },
  };

  const plugins: ApolloServerPlugin<Context>[] = [
    lifecycle,
    // The policy comes from the subgraphs' headers; this router writes the header itself (above).
    ApolloServerPluginCacheControl({ calculateHttpHeaders: false }),
    headers,
  ];
  if (settings.RESPONSE_CACHE_ENABLED) {
    plugins.push(
      ApolloServerPluginResponseCache<Context>({
        cache: store,
        // following() first: a (re)join it notices empties the cache and must move this request to the new generation
        extraCacheKeyData: async () => {
          following();
          return generation;
        },
        shouldReadFromCache: async (request) => eligible(request),
        shouldWriteToCache: async (request) => eligible(request),
      }),
    );
  }

  return { plugins };
}
