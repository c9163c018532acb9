import { runSubgraphMain } from "@storefront/runtime";
import { cartSubgraph } from "./index.ts";

runSubgraphMain(cartSubgraph);
