export { clientAddressOf } from "./client-address.ts";
export { type BaseContext, REQUEST_ID_HEADER, requestIdFrom } from "./context.ts";
export {
  CALL_BUDGET_HEADER,
  createEntitiesClient,
  createSubgraphClient,
  type EntitiesClientOptions,
  type FetchEntities,
  type SubgraphClientOptions,
  type SubgraphRequest,
  withCallerBudget,
} from "./entities-client.ts";
export { commaList, flag, InvalidEnvironmentError, parseEnv, port, serviceEnv, tracingSettings } from "./env.ts";
export {
  type AnswerLookup,
  type AnswerStore,
  BodyTooLargeError,
  createGraphQLHttpServer,
  type GraphQLHttpServerOptions,
  type HttpMiddleware,
  type HttpRoute,
  type ReadinessCheck,
  type ReadinessReport,
  type RequestGuard,
  type RunningHttpServer,
  readRequestBody,
  type StoredAnswer,
  sendGraphQLError,
  sendJson,
} from "./http.ts";
export { isUuid, uuidsOnly } from "./ids.ts";
export { runUntilSignalled } from "./lifecycle.ts";
export { groupedByKey, orderedByKey } from "./loaders.ts";
export { createLogger, type Logger, type LoggerOptions, silentLogger } from "./logger.ts";
export { connectionFrom, decodeCursor, encodeCursor, type PageRequest, pageRequest } from "./pagination.ts";
export { scalarResolvers } from "./scalars.ts";
export { createSubgraphServer, loadTypeDefs, maskUnexpectedErrors, type SubgraphServerOptions } from "./subgraph.ts";
export { defaultSubgraphPorts, type SubgraphName, subgraphNames } from "./subgraphs.ts";
export { runWorkers, type WorkersOptions, workerCount, workersSetting } from "./workers.ts";
