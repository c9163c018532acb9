import { runSubgraphMain } from "@storefront/runtime";
import { catalogSubgraph } from "./index.ts";

runSubgraphMain(catalogSubgraph);
