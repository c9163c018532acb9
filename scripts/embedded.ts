// The whole shop in one process: the router and every subgraph, each subgraph on its own PGlite
// database under `dataDir`, events on the in-process bus. `npm start` runs it; so does a test.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createInProcessBus } from "@storefront/events";
import { createRouter, type RouterSettings } from "@storefront/router";
import { generateServiceSecrets, type RunningSubgraph } from "@storefront/runtime";
import { type Logger, type RunningHttpServer, tracingSettings } from "@storefront/service";
import { embeddedSubgraphs } from "./embedded-subgraphs.ts";

export interface EmbeddedShopOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  /** The router's settings (readRouterSettings); its HOST, PORT and NODE_ENV apply to the whole shop. */
  readonly router: RouterSettings;
  /** Port per subgraph name; a subgraph missing here uses its default port. */
  readonly subgraphPorts?: Readonly<Record<string, number>>;
  /** Seed the demo shop; default: unless the router's NODE_ENV is production. */
  readonly seedDemo?: boolean;
}

export interface EmbeddedShop {
  readonly routerUrl: string;
  readonly subgraphs: readonly RunningSubgraph<unknown>[];
  stop(): Promise<void>;
}

export async function startEmbeddedShop(options: EmbeddedShopOptions): Promise<EmbeddedShop> {
  const { logger } = options;
  const host = options.router.HOST;
  const production = options.router.NODE_ENV === "production";
  mkdirSync(options.dataDir, { recursive: true });
  const portOf = (name: string, fallback: number) => options.subgraphPorts?.[name] ?? fallback;
  const subgraphUrls = Object.fromEntries(
    embeddedSubgraphs.map((s) => [s.name, `http://${host}:${portOf(s.name, s.defaultPort)}/graphql`]),
  );
  const bus = createInProcessBus();
  // The subgraphs call each other as services (the checkout reserving stock); one process, so fresh secrets will do.
  const serviceSecrets = generateServiceSecrets();
  const subgraphs: RunningSubgraph<unknown>[] = [];
  let router: RunningHttpServer | undefined;
  const stop = async () => {
    await router?.close();
    await Promise.all(subgraphs.map((subgraph) => subgraph.close()));
    await bus.close();
  };
  try {
    // Each PGlite database lives in its own directory; the subgraphs start side by side.
    const started = await Promise.allSettled(
      embeddedSubgraphs.map((subgraph) =>
        subgraph.start({
          database: { kind: "pglite", dataDir: path.join(options.dataDir, subgraph.name) },
          bus,
          logger,
          production,
          host,
          port: portOf(subgraph.name, subgraph.defaultPort),
          migrate: true,
          seedDemo: options.seedDemo ?? !production,
          subgraphUrls,
          serviceSecrets,
          tracing: tracingSettings(options.router),
        }),
      ),
    );
    for (const result of started) if (result.status === "fulfilled") subgraphs.push(result.value);
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const urlSettings = Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [`${name.toUpperCase()}_URL`, url]));
    // The router follows the catalog's and inventory's events on the same bus, to empty its response cache.
    router = await createRouter({ settings: { ...options.router, ...urlSettings }, logger, bus }).listen();
    return { routerUrl: router.url, subgraphs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
