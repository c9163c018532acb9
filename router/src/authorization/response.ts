import { ErrorCode } from "@storefront/errors";
import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLError,
  GraphQLIncludeDirective,
  type GraphQLObjectType,
  type GraphQLOutputType,
  GraphQLSkipDirective,
  getDirectiveValues,
  getVariableValues,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type SelectionNode,
  type SelectionSetNode,
  TypeNameMetaFieldDef,
} from "graphql";
import { type AuthorizationDecision, type Denial, fieldDefinition } from "./operation.ts";

type Path = ReadonlyArray<string | number>;
type ResponseObject = Record<string, unknown>;

/** Marks a null in a non-null position: the parent must become null in turn (GraphQL's null propagation). */
const propagate = Symbol("propagate null");

/** One response key of an object: the field nodes the client asked for under it, and whether all of them were denied. */
interface CollectedField {
  readonly name: string;
  readonly kept: FieldNode[];
  denial: Denial | null;
}

function isResponseObject(value: unknown): value is ResponseObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const messages: Record<Denial, (coordinate: string) => string> = {
  UNAUTHENTICATED: (coordinate) => `Sign in to see ${coordinate}.`,
  FORBIDDEN: (coordinate) => `You are not allowed to see ${coordinate}.`,
};

/**
 * Puts back what authorization took out of an operation, into the response of what was executed:
 * walks the client's original operation over the data (resolving fragments against each object's
 * runtime type), answers `null` with an error at every path where a denied field would have been,
 * and lets a null in a non-null position null its nearest nullable parent, as GraphQL execution
 * does. Keys the client did not ask for (the `__typename`s added for matching) are dropped.
 */
export function restoreDeniedFields(
  decision: AuthorizationDecision,
  variableInputs: Record<string, unknown> | undefined,
  data: ResponseObject | null | undefined,
): { data: ResponseObject | null | undefined; errors: GraphQLError[] } {
  const { schema, operation, fragments, denied } = decision;
  const errors: GraphQLError[] = [];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variableInputs ?? {});
  const variables = coerced.coerced ?? {};

  const included = (selection: SelectionNode) =>
    getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if !== false;

  const applies = (condition: string | undefined, type: GraphQLObjectType) => {
    if (!condition || condition === type.name) return true;
    const conditionType = schema.getType(condition);
    return conditionType !== undefined && isAbstractType(conditionType) && schema.isSubType(conditionType, type);
  };

  // CollectFields of the GraphQL spec, remembering for each field whether it, or a fragment around it, was denied.
  const collect = (
    type: GraphQLObjectType,
    selectionSets: readonly SelectionSetNode[],
    fields = new Map<string, CollectedField>(),
    inherited: Denial | null = null,
    visited = new Set<string>(),
  ) => {
    for (const selectionSet of selectionSets) {
      for (const selection of selectionSet.selections) {
        if (!included(selection)) continue;
        const denial = inherited ?? denied.get(selection) ?? null;
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          const entry = fields.get(key) ?? { name: selection.name.value, kept: [], denial: null };
          if (denial) entry.denial ??= denial;
          else entry.kept.push(selection);
          fields.set(key, entry);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (applies(selection.typeCondition?.name.value, type)) collect(type, [selection.selectionSet], fields, denial, visited);
        } else {
          const fragment: FragmentDefinitionNode | undefined = fragments.get(selection.name.value);
          if (!fragment || visited.has(fragment.name.value) || !applies(fragment.typeCondition.name.value, type)) continue;
          visited.add(fragment.name.value);
          collect(type, [fragment.selectionSet], fields, denial, visited);
        }
      }
    }
    return fields;
  };

  const completeObject = (type: GraphQLObjectType, value: ResponseObject, selectionSets: readonly SelectionSetNode[], path: Path) => {
    const result: ResponseObject = {};
    for (const [key, field] of collect(type, selectionSets)) {
      const definition = field.name === "__typename" ? TypeNameMetaFieldDef : fieldDefinition(type, field.name);
      if (field.kept.length === 0 && field.denial) {
        errors.push(ErrorCode[field.denial].err(messages[field.denial](`${type.name}.${field.name}`), { path: [...path, key] }));
        if (definition && isNonNullType(definition.type)) return propagate;
        result[key] = null;
        continue;
      }
      if (!(key in value)) continue;
      const sub = field.kept.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
      const completed = definition ? completeValue(definition.type, value[key], sub, [...path, key]) : value[key];
      if (completed === propagate) return propagate;
      result[key] = completed;
    }
    return result;
  };

  // Returns the value for this position, null, or `propagate` when this position is non-null but must be null.
  const completeValue = (type: GraphQLOutputType, value: unknown, selectionSets: readonly SelectionSetNode[], path: Path): unknown => {
    if (isNonNullType(type)) {
      const completed = completeValue(type.ofType, value, selectionSets, path);
      return completed === null || completed === propagate ? propagate : completed;
    }
    if (value === null || value === undefined) return null;
    if (isListType(type)) {
      if (!Array.isArray(value)) return value;
      const items = value.map((item, index) => completeValue(type.ofType, item, selectionSets, [...path, index]));
      return items.includes(propagate) ? null : items;
    }
    if (isLeafType(type) || !isResponseObject(value)) return value;
    const runtime = runtimeTypeOf(type, value);
    if (!runtime) return value;
    const completed = completeObject(runtime, value, selectionSets, path);
    return completed === propagate ? null : completed;
  };

  const runtimeTypeOf = (type: GraphQLCompositeType, value: ResponseObject): GraphQLObjectType | undefined => {
    if (isObjectType(type)) return type;
    const name = value.__typename;
    const runtime = typeof name === "string" ? schema.getType(name) : undefined;
    return runtime && isObjectType(runtime) ? runtime : undefined;
  };

  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return { data, errors };
  if (!isResponseObject(data)) {
    // Nothing was answered (the rest of the operation failed); the denied root fields still say why they are missing.
    for (const [key, field] of collect(rootType, [operation.selectionSet])) {
      if (field.kept.length === 0 && field.denial) {
        errors.push(ErrorCode[field.denial].err(messages[field.denial](`${rootType.name}.${field.name}`), { path: [key] }));
      }
    }
    return { data, errors };
  }
  const completed = completeObject(rootType, data, [operation.selectionSet], []);
  return { data: completed === propagate ? null : completed, errors };
}
