export { runSubgraphMain } from "./main.ts";
export { generateServiceSecrets, serviceSecretsEnv, serviceSecretsFromEnv, serviceSecretVariable } from "./service-secrets.ts";
export { type SubgraphSettings, subgraphSettingsShape } from "./settings.ts";
export { type RunningSubgraph, type StartSubgraphOptions, type SubgraphLauncher, startSubgraph, subgraphLauncher } from "./start.ts";
export {
  defineSubgraph,
  type OutboxSignal,
  type PeriodicJob,
  type PrismaLike,
  type SubgraphDeps,
  type SubgraphModule,
  type SubgraphParts,
} from "./subgraph-module.ts";
export { defaultSubgraphPorts, jwksUrlOf, subgraphUrlsFromEnv, tokenUrlOf } from "./urls.ts";
