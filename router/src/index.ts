export { supergraphForGateway } from "./authorization/gateway.ts";
export { localDevOrigins, type RouterSettings, readRouterSettings, routerSettingsShape, subgraphUrlOverrides } from "./env.ts";
export { graphiqlEnabled, graphiqlPath } from "./graphiql.ts";
export { createRouter, type RouterContext, type RouterOptions } from "./server.ts";
export { subgraphsOf } from "./supergraph.ts";
