export { runSubgraphMain } from "./main.ts";
export { type RunningSubgraph, type StartSubgraphOptions, type SubgraphLauncher, startSubgraph, subgraphLauncher } from "./start.ts";
export {
  defineSubgraph,
  type OutboxSignal,
  type PrismaLike,
  type SubgraphDeps,
  type SubgraphModule,
  type SubgraphParts,
} from "./subgraph-module.ts";
export { defaultSubgraphPorts, jwksUrlOf, subgraphUrlsFromEnv } from "./urls.ts";
