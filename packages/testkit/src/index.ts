// the broker scripts' Node API lives with them in infra/kafka; re-exported for the end-to-end tests
export { type PrivateBroker, privateBrokerUnavailable, startPrivateBroker } from "../../../infra/kafka/private-broker.ts";
export { createTestAuthority, type TestAuthority } from "./authority.ts";
export { createEventDelivery, type EventDelivery, type EventDeliveryOptions } from "./events.ts";
export { freePort } from "./ports.ts";
export { graphqlRequest, type SupergraphProcesses, startSupergraphProcesses } from "./processes.ts";
export {
  type AsViewer,
  errorCodes,
  type GraphQLResult,
  startTestSubgraph,
  type TestSubgraph,
  type TestSubgraphOptions,
} from "./subgraph.ts";
