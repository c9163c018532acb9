// The schemas the checks compare and validate against, built the way the router and the subgraphs build them.
import { Supergraph } from "@apollo/federation-internals";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { type GraphQLSchema, parse } from "graphql";

/**
 * A subgraph's whole schema as its server answers it: the SDL plus federation's `_entities`, `_Any` and `_service`,
 * what another subgraph's `_entities` call is written against.
 */
export function subgraphSchemaOf(sdl: string): GraphQLSchema {
  return buildSubgraphSchema(parse(sdl));
}

/**
 * The same, as SDL for tools that take text (GraphQL Code Generator, graphql-eslint): the definitions federation adds,
 * and the directives applied in the subgraph's SDL (so a tool sees `@key`, `@listSize` and custom directives in use).
 */
export function subgraphSchemaSdlOf(sdl: string): string {
  return printSchemaWithDirectives(subgraphSchemaOf(sdl));
}

/** The API schema of a supergraph: what clients of the router can query (join and link machinery removed). */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  // The security features (@authenticated, @requiresScopes) are enforced by our router; here only the shape matters.
  return Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
}
