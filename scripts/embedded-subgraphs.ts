// The subgraphs the embedded launcher runs, in start order.
import { cartSubgraph } from "@storefront/cart";
import { catalogSubgraph } from "@storefront/catalog";
import { ordersSubgraph } from "@storefront/orders";
import { type SubgraphLauncher, subgraphLauncher } from "@storefront/runtime";
import { usersSubgraph } from "@storefront/users";

export const embeddedSubgraphs: readonly SubgraphLauncher[] = [
  subgraphLauncher(usersSubgraph),
  subgraphLauncher(catalogSubgraph),
  subgraphLauncher(cartSubgraph),
  subgraphLauncher(ordersSubgraph),
];
