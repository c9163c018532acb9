import type { ServiceTokens } from "@storefront/auth";
import { type OutboxSignal, type PeriodicJob, serviceSecretVariable } from "@storefront/runtime";
import { type BaseContext, createEntitiesClient, createSubgraphServer, type Logger, loadTypeDefs } from "@storefront/service";
import { createCatalogClient } from "./clients/catalog.ts";
import { createOrdersClient } from "./clients/orders.ts";
import type { InventoryContext } from "./context.ts";
import type { PrismaClient } from "./data/generated/client.ts";
import { createInventoryLoaders } from "./data/loaders.ts";
import { createReservations, type Reservations } from "./data/reservations.ts";
import { createStockChanges } from "./data/stock-changes.ts";
import { createStockStore } from "./data/stock-store.ts";
import { inventorySettingsFromEnv } from "./env.ts";
import { createInventoryHandlers } from "./events/handlers.ts";
import { createOrphanHoldSweep } from "./jobs/orphan-holds.ts";
import { resolvers } from "./resolvers/index.ts";

export interface InventoryDeps {
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  readonly production: boolean;
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** Wakes the outbox relay after a commit that wrote availability events. */
  readonly outbox: OutboxSignal;
  /** The inventory service's own tokens (client credentials), to ask orders whether the order of an unconfirmed hold exists. */
  readonly serviceTokens: ServiceTokens | null;
}

export const typeDefs = loadTypeDefs(new URL("../schema.graphql", import.meta.url));

/**
 * The sweep that releases holds of orders never placed (src/jobs/orphan-holds.ts). It releases only what orders says
 * it does not know, so without orders' URL or the service's credentials (SERVICE_CLIENT_SECRET_INVENTORY) it does not
 * run, and says so: orphaned stock then stays held until an admin releases it.
 */
function orphanHoldSweepOrNone({
  reservations,
  logger,
  subgraphUrls,
  serviceTokens,
}: Pick<InventoryDeps, "logger" | "subgraphUrls" | "serviceTokens"> & { reservations: Reservations }): PeriodicJob[] {
  // read first: a bad value stops the process even where the sweep could not run
  const settings = inventorySettingsFromEnv();
  const url = subgraphUrls.orders;
  if (!url || !serviceTokens) {
    const missing = [...(url ? [] : ["ORDERS_URL"]), ...(serviceTokens ? [] : [serviceSecretVariable("inventory")])];
    logger.error({ missing }, "holds of orders never placed are not released: configuration missing");
    return [];
  }
  const orders = createOrdersClient(createEntitiesClient({ service: "orders", url, token: () => serviceTokens.token() }));
  return [
    createOrphanHoldSweep({
      reservations,
      orders,
      logger,
      holdMs: settings.ORPHAN_HOLD_SECONDS * 1_000,
      everyMs: settings.ORPHAN_HOLD_SWEEP_SECONDS * 1_000,
    }),
  ];
}

/** The inventory subgraph: its Apollo server, how to build a request's context, its event handlers and its sweep. */
export function createInventorySubgraph({ prisma, logger, production, subgraphUrls, outbox, serviceTokens }: InventoryDeps) {
  const store = createStockStore(prisma);
  const stockChanges = createStockChanges(prisma, outbox);
  const reservations = createReservations(prisma, outbox);
  const catalog = subgraphUrls.catalog
    ? createCatalogClient(createEntitiesClient({ service: "catalog", url: subgraphUrls.catalog }))
    : null;
  return {
    apollo: createSubgraphServer<InventoryContext>({ name: "inventory", typeDefs, resolvers, logger, production }),
    context: (base: BaseContext): InventoryContext => ({
      ...base,
      store,
      stockChanges,
      reservations,
      catalog,
      loaders: createInventoryLoaders(store),
    }),
    handlers: createInventoryHandlers({ logger }),
    jobs: orphanHoldSweepOrNone({ reservations, logger, subgraphUrls, serviceTokens }),
  };
}
