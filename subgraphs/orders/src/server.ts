import type { ServiceTokens } from "@storefront/auth";
import { type OutboxSignal, serviceSecretVariable } from "@storefront/runtime";
import {
  type BaseContext,
  createEntitiesClient,
  createSubgraphClient,
  createSubgraphServer,
  type Logger,
  loadTypeDefs,
} from "@storefront/service";
import { type Checkout, createCheckout } from "./checkout.ts";
import { createCatalogClient } from "./clients/catalog.ts";
import { createAddressSource, createCartSource, createStockReservations } from "./clients/checkout-sources.ts";
import type { OrdersContext } from "./context.ts";
import type { PrismaClient } from "./data/generated/client.ts";
import { createOrderLoaders } from "./data/loaders.ts";
import { createOrderStore, type OrderStore } from "./data/order-store.ts";
import { createOrderEventHandlers } from "./events/handlers.ts";
import { createPaymentWindowJob, paymentWindowMsFromEnv } from "./jobs/payment-window.ts";
import { resolvers } from "./resolvers/index.ts";

export interface OrdersDeps {
  readonly prisma: PrismaClient;
  readonly logger: Logger;
  readonly production: boolean;
  readonly outbox: OutboxSignal;
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** The orders service's own tokens (client credentials), for the checkout's calls to cart, users and inventory. */
  readonly serviceTokens: ServiceTokens | null;
}

/**
 * The checkout, wired to the subgraphs it reads and reserves in. Without their URLs or the service's credentials
 * (SERVICE_CLIENT_SECRET_ORDERS) the rest of the subgraph still serves, and every checkout fails with an internal
 * error naming what is missing in the logs.
 */
function createCheckoutOrRefusal({
  store,
  logger,
  subgraphUrls,
  serviceTokens,
}: Pick<OrdersDeps, "logger" | "subgraphUrls" | "serviceTokens"> & { store: OrderStore }): Checkout {
  const missing = [
    ...["catalog", "cart", "users", "inventory"].filter((name) => !subgraphUrls[name]).map((name) => `${name.toUpperCase()}_URL`),
    ...(serviceTokens ? [] : [serviceSecretVariable("orders")]),
  ];
  if (missing.length > 0 || !serviceTokens) {
    logger.error({ missing }, "checkout is disabled: configuration missing");
    return () => Promise.reject(new Error(`checkout is disabled: set ${missing.join(", ")}`));
  }
  const token = () => serviceTokens.token();
  const urlOf = (name: string) => subgraphUrls[name] as string;
  return createCheckout({
    store,
    logger,
    catalog: createCatalogClient(createEntitiesClient({ service: "catalog", url: urlOf("catalog") })),
    cart: createCartSource(createEntitiesClient({ service: "cart", url: urlOf("cart"), token })),
    addresses: createAddressSource(createEntitiesClient({ service: "users", url: urlOf("users"), token })),
    stock: createStockReservations(createSubgraphClient({ service: "inventory", url: urlOf("inventory"), token })),
  });
}

export const typeDefs = loadTypeDefs(new URL("../schema.graphql", import.meta.url));

/** The orders subgraph: its Apollo server, how to build a request's context, and its reactions to payment events. */
export function createOrdersSubgraph({ prisma, logger, production, outbox, subgraphUrls, serviceTokens }: OrdersDeps) {
  const store = createOrderStore(prisma);
  const checkout = createCheckoutOrRefusal({ store, logger, subgraphUrls, serviceTokens });
  return {
    apollo: createSubgraphServer<OrdersContext>({ name: "orders", typeDefs, resolvers, logger, production }),
    context: (base: BaseContext): OrdersContext => ({ ...base, store, checkout, outbox, loaders: createOrderLoaders(store) }),
    handlers: createOrderEventHandlers({ logger }),
    jobs: [createPaymentWindowJob({ store, outbox, logger, windowMs: paymentWindowMsFromEnv() })],
  };
}
