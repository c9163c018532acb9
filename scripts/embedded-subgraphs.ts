// The subgraphs the embedded launcher runs.
import { cartSubgraph } from "@storefront/cart";
import { catalogSubgraph } from "@storefront/catalog";
import { inventorySubgraph } from "@storefront/inventory";
import { ordersSubgraph } from "@storefront/orders";
import { paymentsSubgraph } from "@storefront/payments";
import { type SubgraphLauncher, subgraphLauncher } from "@storefront/runtime";
import { usersSubgraph } from "@storefront/users";

export const embeddedSubgraphs: readonly SubgraphLauncher[] = [
  subgraphLauncher(usersSubgraph),
  subgraphLauncher(catalogSubgraph),
  subgraphLauncher(inventorySubgraph),
  subgraphLauncher(cartSubgraph),
  subgraphLauncher(ordersSubgraph),
  subgraphLauncher(paymentsSubgraph),
];
