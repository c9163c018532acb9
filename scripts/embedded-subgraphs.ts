// The subgraphs the embedded launcher and the end-to-end tests run, in start order.
import { catalogSubgraph } from "@storefront/catalog";
import { type SubgraphLauncher, subgraphLauncher } from "@storefront/runtime";

export const embeddedSubgraphs: readonly SubgraphLauncher[] = [subgraphLauncher(catalogSubgraph)];
