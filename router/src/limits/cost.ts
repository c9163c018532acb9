import {
  type ConstDirectiveNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  GraphQLIncludeDirective,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isCompositeType,
  isListType,
  Kind,
  parse,
  type SelectionSetNode,
  type ValueNode,
  valueFromASTUntyped,
} from "graphql";
// graphql-query-complexity, not graphql-armor's cost-limit: armor weighs every field alike and never sees a field's
// arguments, so it cannot honour @listSize; query-complexity hands each field's arguments and child cost to our estimator.
import { type ComplexityEstimatorArgs, getComplexity } from "graphql-query-complexity";

/** How many items a list field holds, as declared by `@listSize` (Apollo's cost spec, Federation 2.9+). */
export interface ListSize {
  readonly assumedSize?: number;
  /** Arguments that bound the list, e.g. `first`: the largest value given is the size. */
  readonly slicingArguments: readonly string[];
  /** Child fields the size applies to instead of the field itself, e.g. a connection's `edges`. */
  readonly sizedFields: readonly string[];
}

/** The `@cost` and `@listSize` directives of a supergraph, keyed by `Type`, `Type.field` or `Type.field(argument:)`. */
export interface CostDirectives {
  readonly weights: ReadonlyMap<string, number>;
  readonly listSizes: ReadonlyMap<string, ListSize>;
}

export const noCostDirectives: CostDirectives = { weights: new Map(), listSizes: new Map() };

const COST_SPEC = /^https:\/\/specs\.apollo\.dev\/cost\/v0\.\d+$/;

/** The names `@cost` and `@listSize` go by in a supergraph, following its `@link` of the cost spec (renames included). */
function costDirectiveNames(document: DocumentNode): { cost: string; listSize: string } | null {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== "link") continue;
      const args = Object.fromEntries((link.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value)]));
      if (typeof args.url !== "string" || !COST_SPEC.test(args.url)) continue;
      const namespace = typeof args.as === "string" ? args.as : "cost";
      const imported = new Map<string, string>();
      for (const entry of Array.isArray(args.import) ? args.import : []) {
        if (typeof entry === "string") imported.set(entry, entry);
        else if (entry && typeof entry.name === "string") imported.set(entry.name, typeof entry.as === "string" ? entry.as : entry.name);
      }
      return {
        cost: (imported.get("@cost") ?? `@${namespace}`).slice(1),
        listSize: (imported.get("@listSize") ?? `@${namespace}__listSize`).slice(1),
      };
    }
  }
  return null;
}

function argumentsOf(directive: ConstDirectiveNode | DirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value as ValueNode)]));
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item) => typeof item === "string") : []);

/** Reads `@cost` and `@listSize` from a supergraph's SDL; none when it does not link the cost spec. */
export function costDirectivesOf(supergraphSdl: string): CostDirectives {
  const document = parse(supergraphSdl, { noLocation: true });
  const names = costDirectiveNames(document);
  if (!names) return noCostDirectives;
  const weights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const readCost = (key: string, directives: readonly (ConstDirectiveNode | DirectiveNode)[] | undefined) => {
    const cost = directives?.find((directive) => directive.name.value === names.cost);
    const weight = cost && argumentsOf(cost).weight;
    if (typeof weight === "number") weights.set(key, weight);
  };
  for (const definition of document.definitions) {
    if (!("name" in definition) || !definition.name || !("directives" in definition)) continue;
    const type = definition.name.value;
    readCost(type, definition.directives);
    if (!("fields" in definition)) continue;
    for (const field of definition.fields ?? []) {
      const key = `${type}.${field.name.value}`;
      readCost(key, field.directives);
      for (const argument of "arguments" in field ? (field.arguments ?? []) : [])
        readCost(`${key}(${argument.name.value}:)`, argument.directives);
      const listSize = field.directives?.find((directive) => directive.name.value === names.listSize);
      if (!listSize) continue;
      const args = argumentsOf(listSize);
      listSizes.set(key, {
        assumedSize: typeof args.assumedSize === "number" ? args.assumedSize : undefined,
        slicingArguments: strings(args.slicingArguments),
        sizedFields: strings(args.sizedFields),
      });
    }
  }
  return { weights, listSizes };
}

export interface CostEstimateOptions {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly operationName?: string | null;
  /** The request's variables, as sent. */
  readonly variables?: Readonly<Record<string, unknown>>;
  readonly directives: CostDirectives;
  /** Items assumed for a list field that has no `@listSize`. */
  readonly defaultListSize: number;
}

/** Thrown by estimateCost when the request's variables do not fit the operation's variable definitions. */
export class InvalidVariablesError extends Error {
  readonly errors: readonly GraphQLError[];
  constructor(errors: readonly GraphQLError[]) {
    super(errors.map((error) => error.message).join("\n"));
    this.name = "InvalidVariablesError";
    this.errors = errors;
  }
}

/** What a mutation costs before its fields, as in Apollo's demand control (queries start at 0). */
const MUTATION_BASE_COST = 10;
/** Introspection is answered by the router itself from the schema it holds, without calling a subgraph. */
const INTROSPECTION_FIELDS = new Set(["__schema", "__type"]);

/** A list field's estimate, kept until the field's parent reads it (for `sizedFields`). */
interface ListEstimate {
  readonly multiplier: number;
  readonly perItem: number;
}

function valueAtPath(args: Record<string, unknown>, path: string): unknown {
  let value: unknown = args;
  for (const step of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** The size a `@listSize` gives for these arguments: the largest slicing argument, else the assumed size. */
function sizeOf(listSize: ListSize | undefined, args: Record<string, unknown>): number | undefined {
  const sliced = listSize?.slicingArguments
    .map((path) => valueAtPath(args, path))
    .filter((value): value is number => typeof value === "number" && Number.isFinite(value));
  if (sliced && sliced.length > 0) return Math.max(0, ...sliced);
  return listSize?.assumedSize;
}

/**
 * The static cost of an operation, following Apollo's demand control (the `https://specs.apollo.dev/cost/v0.1`
 * spec): a mutation starts at 10, each object costs 1 (its `@cost` weight when declared), a leaf 0; a list
 * multiplies what it holds by its size from `@listSize` (slicing arguments such as `first`, else the assumed
 * size) or by the default list size; introspection costs nothing.
 */
export function estimateCost(options: CostEstimateOptions): number {
  const { schema, document, directives, defaultListSize } = options;
  const operation = getOperationAST(document, options.operationName);
  if (!operation) return 0;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], { ...options.variables });
  // Without valid variables there is nothing to estimate: the caller refuses the request (it could not run anyway).
  if (coerced.errors) throw new InvalidVariablesError(coerced.errors);
  const variables = coerced.coerced;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // graphql-query-complexity estimates children before their parent: a parent whose @listSize sizes a child
  // (sizedFields) re-weighs the child's estimate, read once from here.
  const listEstimates = new Map<FieldNode, ListEstimate>();

  const included = (node: { readonly directives?: readonly DirectiveNode[] }) =>
    getDirectiveValues(GraphQLSkipDirective, node, variables)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;

  /** The included child fields named `names` of a selection set, through inline fragments and fragment spreads. */
  function childFields(selectionSet: SelectionSetNode | undefined, names: readonly string[], seen = new Set<string>()): FieldNode[] {
    const found: FieldNode[] = [];
    for (const selection of selectionSet?.selections ?? []) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        if (names.includes(selection.name.value)) found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        found.push(...childFields(selection.selectionSet, names, seen));
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        found.push(...childFields(fragments.get(selection.name.value)?.selectionSet, names, seen));
      }
    }
    return found;
  }

  const estimator = ({ type, field, node, args, childComplexity }: ComplexityEstimatorArgs): number => {
    if (INTROSPECTION_FIELDS.has(field.name)) return 0;
    const key = `${type.name}.${field.name}`;
    const namedType = getNamedType(field.type);
    const weight = directives.weights.get(key) ?? directives.weights.get(namedType.name) ?? (isCompositeType(namedType) ? 1 : 0);
    let argumentsWeight = 0;
    for (const argument of field.args) {
      if (args[argument.name] !== undefined) argumentsWeight += directives.weights.get(`${key}(${argument.name}:)`) ?? 0;
    }
    const listSize = directives.listSizes.get(key);
    const size = sizeOf(listSize, args);
    const perItem = weight + childComplexity;
    let cost = perItem;
    if (listSize && listSize.sizedFields.length > 0) {
      // The size belongs to the sized children (a connection's edges): each one's estimate is redone with it.
      for (const child of childFields(node.selectionSet, listSize.sizedFields)) {
        const estimate = listEstimates.get(child);
        listEstimates.delete(child);
        if (!estimate || size === undefined) continue;
        cost += (size - estimate.multiplier) * estimate.perItem;
      }
    } else if (isListType(getNullableType(field.type))) {
      const multiplier = size ?? defaultListSize;
      listEstimates.set(node, { multiplier, perItem });
      cost = multiplier * perItem;
    }
    return Math.max(0, cost + argumentsWeight);
  };

  const base = operation.operation === "mutation" ? MUTATION_BASE_COST : 0;
  return (
    base +
    getComplexity({
      schema,
      query: document,
      variables: options.variables,
      operationName: options.operationName ?? undefined,
      estimators: [estimator],
    })
  );
}
