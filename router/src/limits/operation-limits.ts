import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { ErrorCode } from "@storefront/errors";
import type { Logger } from "@storefront/service";
import { routerMetrics } from "@storefront/telemetry";
import {
  type DocumentNode,
  type GraphQLError,
  type GraphQLFormattedError,
  getOperationAST,
  type OperationDefinitionNode,
  type ParseOptions,
} from "graphql";
import type { RouterSettings } from "../env.ts";
import {
  type CostDirectives,
  type CostEstimateOptions,
  costDirectivesOf,
  estimateCost,
  InvalidVariablesError,
  noCostDirectives,
} from "./cost.ts";
import { type DocumentLimits, documentLimitViolation, type LimitName, type LimitViolation } from "./rules.ts";

/** Every limit an operation must stay within; 0 turns a limit off. */
export interface OperationLimitSettings extends DocumentLimits {
  readonly maxTokens: number;
  readonly maxCost: number;
  /** Items the cost estimate assumes for a list field without `@listSize`. */
  readonly defaultListSize: number;
}

const what: Record<LimitName, (violation: LimitViolation) => string> = {
  depth: ({ actual }) => `nests fields ${actual ?? "too many"} levels deep`,
  aliases: ({ actual }) => `uses ${actual ?? "too many"} aliases`,
  rootFields: ({ actual }) => `selects ${actual ?? "too many"} root fields`,
  tokens: ({ max }) => `is a document of more than ${max} tokens`,
  directives: ({ actual }) => `uses ${actual ?? "too many"} directives`,
  cost: ({ actual }) =>
    `has an estimated cost of ${actual ?? "more than the limit"} (lists count by their size: \`first\` or the assumed size)`,
};

/** The error a refused operation answers with: HTTP 400, OPERATION_LIMIT_EXCEEDED, the limit's name and value. */
export function operationLimitError(violation: LimitViolation): GraphQLError {
  // made once per refused operation, right where it is refused: the one place to count refusals by limit
  routerMetrics.rejected(violation.limit);
  return ErrorCode.OPERATION_LIMIT_EXCEEDED.err(
    `Operation refused: it ${what[violation.limit](violation)}; the ${violation.limit} limit is ${violation.max}.`,
    {
      extensions: {
        limit: violation.limit,
        max: violation.max,
        ...(violation.actual === undefined ? {} : { actual: violation.actual }),
        http: { status: 400 },
      },
    },
  );
}

/** graphql-js stops parsing at `maxTokens` with this syntax error (its wording, typo included). */
const TOKEN_LIMIT_MESSAGE = /Document contains more (?:than|that) \d+ tokens/;

/** graphql-query-complexity's refusal of a document that expands past its node limit (10,000). */
const NODE_LIMIT_MESSAGE = /maximum allowed number of nodes/;

/**
 * Refuses operations over the limits before the gateway plans them (Apollo hands the gateway's executor, where
 * planning happens, only operations that passed `didResolveOperation`). Tokens are counted by graphql-js's own
 * parser (`parseOptions.maxTokens`): it stops lexing at the limit, so a huge document is never built — unlike
 * graphql-armor's max-tokens for Apollo, which parses a second time and throws from a hook (a 500 in Apollo
 * Server 5). Depth, aliases, root fields and directives are graphql-armor's rules (plus one of ours) run here
 * rather than as Apollo `validationRules`, where Apollo would rewrite their code to GRAPHQL_VALIDATION_FAILED;
 * cost is graphql-query-complexity with an estimator that reads the supergraph's `@cost`/`@listSize`, and needs
 * the request's variables, which validation rules never see (and Apollo skips validation for cached documents).
 */
export function createOperationLimits(settings: OperationLimitSettings, logger: Logger) {
  let directives: CostDirectives = noCostDirectives;
  // Documents come back from Apollo's document cache as the same object: their verdict need not be redone.
  const documentVerdicts = new WeakMap<DocumentNode, LimitViolation | null>();
  // Nor the cost of an operation that declares no variables (nothing but the document decides it): one per operation
  // of a cached document. Cleared when a new supergraph brings other @cost/@listSize.
  let operationCosts = new WeakMap<OperationDefinitionNode, number>();
  const costOf = (request: Omit<CostEstimateOptions, "directives" | "defaultListSize">): number => {
    const estimate = () => estimateCost({ ...request, directives, defaultListSize: settings.defaultListSize });
    const operation = getOperationAST(request.document, request.operationName);
    if (!operation || (operation.variableDefinitions?.length ?? 0) > 0) return estimate();
    let cost = operationCosts.get(operation);
    if (cost === undefined) {
      cost = estimate();
      operationCosts.set(operation, cost);
    }
    return cost;
  };

  const plugin: ApolloServerPlugin<BaseContext> = {
    async requestDidStart() {
      let overTokenLimit = false;
      return {
        async parsingDidStart() {
          return async (error) => {
            if (error && TOKEN_LIMIT_MESSAGE.test(error.message)) overTokenLimit = true;
          };
        },
        async didResolveOperation({ schema, document, operationName, request }) {
          let violation = documentVerdicts.get(document);
          if (violation === undefined) {
            violation = documentLimitViolation(schema, document, settings);
            documentVerdicts.set(document, violation);
          }
          if (violation) throw operationLimitError(violation);
          if (settings.maxCost <= 0) return;
          let cost: number;
          try {
            cost = costOf({ schema, document, operationName, variables: request.variables });
          } catch (error) {
            if (error instanceof InvalidVariablesError) {
              throw ErrorCode.BAD_USER_INPUT.err(error.message, { extensions: { http: { status: 400 } } });
            }
            // graphql-query-complexity gives up on documents that expand (through fragments) past its node limit.
            if (error instanceof Error && NODE_LIMIT_MESSAGE.test(error.message))
              throw operationLimitError({ limit: "cost", max: settings.maxCost });
            throw error;
          }
          if (cost > settings.maxCost) throw operationLimitError({ limit: "cost", max: settings.maxCost, actual: cost });
        },
        async willSendResponse({ response }) {
          if (!overTokenLimit || response.body?.kind !== "single") return;
          // Apollo reports the parser's refusal as GRAPHQL_PARSE_FAILED; clients get the limit's own code and figures.
          const { message, extensions } = operationLimitError({ limit: "tokens", max: settings.maxTokens });
          const { http: _http, ...visible } = extensions;
          response.body.singleResult.errors = [{ message, extensions: visible } satisfies GraphQLFormattedError];
        },
      };
    },
  };

  return {
    /** For ApolloServer's `parseOptions`: graphql-js counts tokens while it parses and stops at the limit. */
    parseOptions: (settings.maxTokens > 0 ? { maxTokens: settings.maxTokens } : {}) satisfies ParseOptions,
    plugin,
    /** Reads `@cost` and `@listSize` from every supergraph the gateway loads (the first and each reload). */
    useSupergraph(supergraphSdl: string): void {
      try {
        directives = costDirectivesOf(supergraphSdl);
        operationCosts = new WeakMap();
        logger.info({ weights: directives.weights.size, listSizes: directives.listSizes.size }, "cost directives loaded");
      } catch (error) {
        // The supergraph itself loaded (the gateway parsed it); keep estimating with the previous directives.
        logger.error({ err: error }, "cost directives could not be read from the supergraph");
      }
    },
  };
}

export type OperationLimits = ReturnType<typeof createOperationLimits>;

/** The limits as the router's settings give them. */
export function operationLimitSettingsOf(settings: RouterSettings): OperationLimitSettings {
  return {
    maxDepth: settings.MAX_DEPTH,
    maxAliases: settings.MAX_ALIASES,
    maxRootFields: settings.MAX_ROOT_FIELDS,
    maxTokens: settings.MAX_TOKENS,
    maxDirectives: settings.MAX_DIRECTIVES,
    maxCost: settings.MAX_COST,
    defaultListSize: settings.COST_DEFAULT_LIST_SIZE,
  };
}
