export { createTestAuthority, type TestAuthority } from "./authority.ts";
export { createEventDelivery, type EventDelivery, type EventDeliveryOptions } from "./events.ts";
export { freePort, graphqlRequest, type SupergraphProcesses, startSupergraphProcesses } from "./processes.ts";
export {
  type AsViewer,
  errorCodes,
  type GraphQLResult,
  startTestSubgraph,
  type TestSubgraph,
  type TestSubgraphOptions,
} from "./subgraph.ts";
