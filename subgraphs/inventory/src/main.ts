import { runSubgraphMain } from "@storefront/runtime";
import { inventorySubgraph } from "./index.ts";

runSubgraphMain(inventorySubgraph);
