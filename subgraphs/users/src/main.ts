import { runSubgraphMain } from "@storefront/runtime";
import { usersSubgraph } from "./index.ts";

runSubgraphMain(usersSubgraph);
