import { runSubgraphMain } from "@storefront/runtime";
import { ordersSubgraph } from "./index.ts";

runSubgraphMain(ordersSubgraph);
