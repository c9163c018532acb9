import { createHash } from "node:crypto";
import type { SupergraphSdlHook } from "@apollo/gateway";
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from "@apollo/server-gateway-interface";
import type { Viewer } from "@storefront/auth";
import type { Logger } from "@storefront/service";
import { type DocumentNode, type GraphQLSchema, Kind, type OperationDefinitionNode, parse, print, visit } from "graphql";
import { type AuthorizationDecision, authorizeOperation, documentWithoutDenied } from "./operation.ts";
import { restoreDeniedFields } from "./response.ts";
import { type AuthorizationRules, authorizationRulesOf } from "./rules.ts";

/** The SECURITY features this module enforces, by `@link` URL. */
const enforcedFeatures = new Set([
  "https://specs.apollo.dev/authenticated/v0.1",
  "https://specs.apollo.dev/requiresScopes/v0.1",
  "https://specs.apollo.dev/policy/v0.1",
]);

/**
 * The supergraph as the gateway may load it. @apollo/gateway refuses a supergraph that links a
 * `for: SECURITY` feature it cannot enforce (rightly: it would ignore it). The features enforced
 * here lose their `for: SECURITY` purpose, so the gateway accepts them while
 * `enforceAuthorization` applies them; any other security feature still makes the gateway refuse
 * the supergraph (fail closed).
 */
export function supergraphForGateway(supergraphSdl: string): string {
  const document = parse(supergraphSdl);
  let changed = false;
  const accepted = visit(document, {
    Directive(directive) {
      if (directive.name.value !== "link") return undefined;
      const url = directive.arguments?.find((arg) => arg.name.value === "url")?.value;
      if (url?.kind !== Kind.STRING || !enforcedFeatures.has(url.value)) return undefined;
      changed = true;
      return { ...directive, arguments: directive.arguments?.filter((arg) => arg.name.value !== "for") };
    },
  });
  return changed ? print(accepted) : supergraphSdl;
}

/** A supergraph hook whose every version (the first and each reload) goes through `supergraphForGateway`. */
export function enforcingSupergraphHook(hook: SupergraphSdlHook): SupergraphSdlHook {
  return async (options) => {
    const loaded = await hook({ ...options, update: (sdl) => options.update(supergraphForGateway(sdl)) });
    return { ...loaded, supergraphSdl: supergraphForGateway(loaded.supergraphSdl) };
  };
}

export interface AuthorizationOptions {
  readonly logger: Logger;
  /** The verified viewer of a request, from the context the router built for it. */
  readonly viewerOf: (context: GatewayGraphQLRequestContext["context"]) => Viewer | null;
}

/** An operation with selections taken out for a viewer: the decision, and the document the gateway executes instead. */
interface FilteredOperation {
  readonly decision: AuthorizationDecision;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly source: string;
  readonly queryHash: string;
}

/** The viewers one operation is judged for differ only in what `denialOf` reads: signed in or not, and the scopes held. */
const viewerKey = (viewer: Viewer | null): string => (viewer ? `signed-in:${[...viewer.scopes].sort().join(" ")}` : "anonymous");

/** More distinct viewer keys than this for one document (the roles have a handful) and its kept decisions are dropped. */
const MAX_VIEWER_KEYS = 16;

interface Judged {
  readonly rules: AuthorizationRules;
  readonly schema: GraphQLSchema;
  readonly byViewer: Map<string, FilteredOperation | null>;
}

/**
 * Apollo Server keeps one parsed, validated document per operation text, so the same document comes back request after
 * request: its judgement (and the filtered document, printed and hashed) is kept with it, per operation name and viewer
 * key, for as long as the document lives, against the rules and schema it was made with.
 */
const judgements = new WeakMap<DocumentNode, Judged>();

function filteredOperation(
  rules: AuthorizationRules,
  requestContext: Parameters<GatewayExecutor>[0],
  viewer: Viewer | null,
): FilteredOperation | null {
  const { schema, document: requested } = requestContext;
  const operationName = requestContext.request.operationName;
  let judged = judgements.get(requested);
  if (!judged || judged.rules !== rules || judged.schema !== schema) {
    judged = { rules, schema, byViewer: new Map() };
    judgements.set(requested, judged);
  }
  const key = `${operationName ?? ""}\n${viewerKey(viewer)}`;
  const known = judged.byViewer.get(key);
  if (known !== undefined) return known;
  const decision = authorizeOperation(schema, rules, requested, operationName, viewer);
  let filtered: FilteredOperation | null = null;
  if (decision) {
    const { document, operation } = documentWithoutDenied(decision);
    const source = print(document);
    // The gateway caches query plans by queryHash: the filtered document needs its own key.
    const queryHash = createHash("sha256").update(source).digest("hex");
    filtered = { decision, document, operation, source, queryHash };
  }
  if (judged.byViewer.size >= MAX_VIEWER_KEYS) judged.byViewer.clear();
  judged.byViewer.set(key, filtered);
  return filtered;
}

/**
 * Enforces the supergraph's `@authenticated`, `@requiresScopes` and `@policy` directives, which
 * @apollo/gateway ignores, with the Apollo Router's semantics: before planning, every selection the
 * viewer may not see is taken out of the operation; the rest is planned and executed as usual;
 * then each removed field answers `null` with an UNAUTHENTICATED or FORBIDDEN error at its path.
 *
 * It wraps the gateway Apollo Server drives, so it sits between Apollo's validation and the query
 * planner: the executor it hands out rewrites the document (and its plan-cache key) before
 * delegating. The directives are read from every supergraph the gateway loads, so they follow a
 * hot reload; requests always judge against the newest one.
 */
export function enforceAuthorization(gateway: GatewayInterface, options: AuthorizationOptions): GatewayInterface {
  let rules: AuthorizationRules | Error = new Error("no supergraph loaded yet");
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    try {
      rules = authorizationRulesOf(coreSupergraphSdl);
      options.logger.info({ types: rules.types.size, fields: rules.fields.size }, "authorization rules loaded");
    } catch (error) {
      // Fail closed: without the rules no request may run on this supergraph.
      rules = error instanceof Error ? error : new Error(String(error));
      options.logger.error({ err: error }, "authorization rules could not be read from the supergraph");
    }
  });

  const authorized =
    (execute: GatewayExecutor): GatewayExecutor =>
    async (requestContext) => {
      const current = rules;
      if (current instanceof Error) throw current;
      const viewer = options.viewerOf(requestContext.context);
      const filtered = filteredOperation(current, requestContext, viewer);
      if (!filtered) return execute(requestContext);
      const { decision, document, operation, source, queryHash } = filtered;
      const result = await execute({ ...requestContext, document, operation, source, queryHash });
      const restored = restoreDeniedFields(decision, requestContext.request.variables, result.data);
      const errors = [...(result.errors ?? []), ...restored.errors];
      return { ...result, data: restored.data, ...(errors.length > 0 ? { errors } : {}) };
    };

  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    async load(loadOptions) {
      const { executor } = await gateway.load(loadOptions);
      return { executor: executor && authorized(executor) };
    },
    stop: () => gateway.stop(),
  };
}
