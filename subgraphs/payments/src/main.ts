import { runSubgraphMain } from "@storefront/runtime";
import { paymentsSubgraph } from "./index.ts";

runSubgraphMain(paymentsSubgraph);
