import type { Viewer } from "@storefront/auth";
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from "graphql";
import { type AuthorizationRules, mergeRequirements, noRequirement, type Requirement } from "./rules.ts";

/** Why a selection was taken out: nobody is signed in, or the viewer lacks a scope the schema demands. */
export type Denial = "UNAUTHENTICATED" | "FORBIDDEN";

/** An operation with the selections the viewer may not see. */
export interface AuthorizationDecision {
  readonly schema: GraphQLSchema;
  /** The operation as the client sent it. */
  readonly operation: OperationDefinitionNode;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** Fields and fragments (inline or spread) of the client's document that are not executed, and why. */
  readonly denied: ReadonlyMap<SelectionNode, Denial>;
}

function denialOf(requirement: Requirement, viewer: Viewer | null): Denial | null {
  const held = new Set(viewer?.scopes ?? []);
  const met =
    (!requirement.authenticated || Boolean(viewer)) &&
    !requirement.policy &&
    // Each @requiresScopes is met by any one of its scope sets, held whole; an empty list demands nothing.
    requirement.scopes.every(
      (alternatives) => alternatives.length === 0 || alternatives.some((set) => set.every((scope) => held.has(scope))),
    );
  if (met) return null;
  return viewer ? "FORBIDDEN" : "UNAUTHENTICATED";
}

export function fieldDefinition(parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/**
 * What selecting `parent.field` demands: the field's own directives and those of the type it
 * returns. On an interface the object behind it is only known after execution, so every
 * implementation's field, returned type and the implementation itself must be allowed too.
 */
function requirementOfField(schema: GraphQLSchema, rules: AuthorizationRules, parent: GraphQLCompositeType, name: string): Requirement {
  const definition = fieldDefinition(parent, name);
  if (!definition) return noRequirement;
  let requirement = mergeRequirements(
    rules.fields.get(`${parent.name}.${name}`) ?? noRequirement,
    rules.types.get(getNamedType(definition.type).name),
  );
  if (isInterfaceType(parent)) {
    for (const implementation of schema.getPossibleTypes(parent)) {
      requirement = mergeRequirements(requirement, rules.types.get(implementation.name));
      const implemented = implementation.getFields()[name];
      if (!implemented) continue;
      requirement = mergeRequirements(requirement, rules.fields.get(`${implementation.name}.${name}`));
      requirement = mergeRequirements(requirement, rules.types.get(getNamedType(implemented.type).name));
    }
  }
  return requirement;
}

/**
 * Finds every selection of the operation the viewer may not see: fields (whatever their alias) whose
 * requirements the viewer does not meet, and fragments on a type the viewer may not see. Named
 * fragments are judged once: what is denied inside one does not depend on where it is spread.
 * Returns null when the viewer may see everything asked for.
 */
export function authorizeOperation(
  schema: GraphQLSchema,
  rules: AuthorizationRules,
  document: DocumentNode,
  operationName: string | null | undefined,
  viewer: Viewer | null,
): AuthorizationDecision | null {
  if (rules.types.size === 0 && rules.fields.size === 0) return null;
  // Without a single operation (or its root type) the gateway refuses the request itself, executing nothing.
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const denied = new Map<SelectionNode, Denial>();
  const judgedFragments = new Set<string>();

  const judgeType = (type: GraphQLCompositeType) => denialOf(rules.types.get(type.name) ?? noRequirement, viewer);

  // `inherited` carries a root type's own requirement (`type Query @authenticated`) to every root field.
  const judge = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, inherited: Requirement) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        // __typename and introspection carry no authorization directives.
        if (name.startsWith("__")) continue;
        const denial = denialOf(mergeRequirements(inherited, requirementOfField(schema, rules, parent, name)), viewer);
        if (denial) {
          denied.set(selection, denial);
          continue;
        }
        const type = fieldDefinition(parent, name)?.type;
        const named = type && getNamedType(type);
        if (selection.selectionSet && named && isCompositeType(named)) judge(selection.selectionSet, named, noRequirement);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition) {
          judge(selection.selectionSet, parent, inherited);
          continue;
        }
        const condition = schema.getType(selection.typeCondition.name.value);
        if (!condition || !isCompositeType(condition)) continue;
        const denial = judgeType(condition);
        if (denial) denied.set(selection, denial);
        else judge(selection.selectionSet, condition, noRequirement);
      } else {
        const fragment = fragments.get(selection.name.value);
        const condition = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragment || !condition || !isCompositeType(condition)) continue;
        const denial = judgeType(condition);
        if (denial) denied.set(selection, denial);
        else if (!judgedFragments.has(fragment.name.value)) {
          judgedFragments.add(fragment.name.value);
          judge(fragment.selectionSet, condition, noRequirement);
        }
      }
    }
  };
  judge(operation.selectionSet, rootType, rules.types.get(rootType.name) ?? noRequirement);
  return denied.size === 0 ? null : { schema, operation, fragments, denied };
}

const typename: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: "__typename" } };

function selectsTypename(selections: readonly SelectionNode[]): boolean {
  return selections.some(
    (selection) =>
      selection.kind === Kind.FIELD && selection.name.value === "__typename" && !selection.alias && !selection.directives?.length,
  );
}

/**
 * The document to execute: the client's operation without the denied selections. A selection set
 * left empty keeps `__typename` so its parent stays valid, and every selection set on an interface
 * or union asks for `__typename` so the response can be matched back to the client's fragments.
 * Only the chosen operation and the fragments it still spreads are kept.
 */
export function documentWithoutDenied(decision: AuthorizationDecision): { document: DocumentNode; operation: OperationDefinitionNode } {
  const { schema, denied, fragments } = decision;
  const spread = new Set<string>();

  const rewrite = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType): SelectionSetNode => {
    const selections: SelectionNode[] = [];
    for (const selection of selectionSet.selections) {
      if (denied.has(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const type = fieldDefinition(parent, selection.name.value)?.type;
        const named = type && getNamedType(type);
        selections.push(
          selection.selectionSet && named && isCompositeType(named)
            ? { ...selection, selectionSet: rewrite(selection.selectionSet, named) }
            : selection,
        );
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        selections.push(
          condition && isCompositeType(condition) ? { ...selection, selectionSet: rewrite(selection.selectionSet, condition) } : selection,
        );
      } else {
        spread.add(selection.name.value);
        selections.push(selection);
      }
    }
    if ((selections.length === 0 || isAbstractType(parent)) && !selectsTypename(selections)) selections.push(typename);
    return { ...selectionSet, selections };
  };

  const rootType = schema.getRootType(decision.operation.operation);
  const operation: OperationDefinitionNode = rootType
    ? { ...decision.operation, selectionSet: rewrite(decision.operation.selectionSet, rootType) }
    : decision.operation;
  const kept: FragmentDefinitionNode[] = [];
  const done = new Set<string>();
  // Fragments spread only from denied selections are dropped: an unused fragment is invalid GraphQL.
  for (let pending = [...spread]; pending.length > 0; pending = [...spread].filter((name) => !done.has(name))) {
    for (const name of pending) {
      done.add(name);
      const fragment = fragments.get(name);
      const condition = fragment && schema.getType(fragment.typeCondition.name.value);
      if (!fragment || !condition || !isCompositeType(condition)) continue;
      kept.push({ ...fragment, selectionSet: rewrite(fragment.selectionSet, condition) });
    }
  }
  return { document: { kind: Kind.DOCUMENT, definitions: [operation, ...kept] }, operation };
}
