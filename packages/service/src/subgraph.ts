import { readFileSync } from "node:fs";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { GraphQLResolverMap } from "@apollo/subgraph";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { isClientError } from "@storefront/errors";
import { type DocumentNode, GraphQLError, type GraphQLFormattedError, parse } from "graphql";
import type { Logger } from "pino";
import type { BaseContext } from "./context.ts";

/** Reads a subgraph's SDL file (schema first: the file is the source of truth). */
export function loadTypeDefs(file: URL): DocumentNode {
  return parse(readFileSync(file, "utf8"));
}

export interface SubgraphServerOptions<Context extends BaseContext> {
  readonly name: string;
  readonly typeDefs: DocumentNode;
  // Codegen's resolver types are structurally narrower than Apollo's map; both describe the same object.
  readonly resolvers: GraphQLResolverMap<Context> | object;
  readonly logger: Logger;
  /** In production unexpected errors are masked and no stack traces leave the process. */
  readonly production: boolean;
  readonly plugins?: ApolloServerPlugin<Context>[];
}

/** graphql-js's suggestion suffix, e.g. ` Did you mean "product" or "products"?` */
const FIELD_SUGGESTION = / Did you mean .+\?$/;

/**
 * What a client may see of an error: our registered codes pass through; anything unexpected
 * becomes INTERNAL_SERVER_ERROR without details when `production` is set.
 */
export function maskUnexpectedErrors(production: boolean) {
  const mask = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError && error.originalError instanceof GraphQLError ? error.originalError : error;
    if (isClientError(original) || isClientError(error)) return formatted;
    const code = formatted.extensions?.code;
    // Apollo's own request-level codes (parse/validation failures) are client errors too.
    if (
      code === "GRAPHQL_PARSE_FAILED" ||
      code === "GRAPHQL_VALIDATION_FAILED" ||
      code === "BAD_REQUEST" ||
      code === "PERSISTED_QUERY_NOT_FOUND" ||
      code === "PERSISTED_QUERY_NOT_SUPPORTED" ||
      code === "OPERATION_RESOLUTION_FAILURE"
    ) {
      return formatted;
    }
    if (!production) return formatted;
    return {
      message: "Internal server error.",
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    };
  };
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const masked = mask(formatted, error);
    // "Did you mean …" hints (fields, arguments, enum values) map the schema for whoever probes it; production keeps them.
    return production && FIELD_SUGGESTION.test(masked.message)
      ? { ...masked, message: masked.message.replace(FIELD_SUGGESTION, "") }
      : masked;
  };
}

function logUnexpectedErrors<Context extends BaseContext>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const cause = error.originalError ?? error;
            if (isClientError(cause) || isClientError(error) || !error.originalError) continue;
            contextValue.logger.error({ err: cause, path: error.path, operationName }, "resolver failed");
          }
        },
      };
    },
  };
}

/** An Apollo Federation 2 subgraph server with our error policy and logging. */
export function createSubgraphServer<Context extends BaseContext>(options: SubgraphServerOptions<Context>): ApolloServer<Context> {
  const schema = buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<Context> }]);
  return new ApolloServer<Context>({
    schema,
    logger: options.logger,
    includeStacktraceInErrorResponses: !options.production,
    formatError: maskUnexpectedErrors(options.production),
    // The process drains on SIGTERM itself (runUntilSignalled); Apollo's own handler would cut requests in flight.
    stopOnTerminationSignals: false,
    // Subgraphs are reached through the router only; explore the graph in the router's Sandbox.
    plugins: [ApolloServerPluginLandingPageDisabled(), logUnexpectedErrors<Context>(), ...(options.plugins ?? [])],
  });
}
