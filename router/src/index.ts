export { supergraphForGateway } from "./authorization/gateway.ts";
export { readRouterEnv, subgraphUrlOverrides } from "./env.ts";
export { createRouter, type RouterConfig } from "./server.ts";
export { subgraphsOf } from "./supergraph.ts";
