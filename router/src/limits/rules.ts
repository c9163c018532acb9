import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  validate,
} from "graphql";

/** The limits an operation is checked against; each one names what it counts in the refusal. */
export type LimitName = "depth" | "aliases" | "rootFields" | "tokens" | "directives" | "cost";

export interface LimitViolation {
  readonly limit: LimitName;
  readonly max: number;
  /** What the operation has, when known (the token count stops at the limit). */
  readonly actual?: number;
}

/** The limits that depend on the document alone; 0 turns one off. */
export interface DocumentLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxRootFields: number;
  readonly maxDirectives: number;
}

/** The root fields an operation selects, through inline fragments and fragment spreads; aliased copies count each. */
export function rootFieldsOf(
  operation: OperationDefinitionNode,
  fragment: (name: string) => FragmentDefinitionNode | null | undefined,
): FieldNode[] {
  const fields: FieldNode[] = [];
  const seen = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const definition = fragment(selection.name.value);
        if (definition) collect(definition.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return fields;
}

/** graphql-armor has no root-field limit (the Apollo Router's `max_root_fields`): this rule is it. */
function maxRootFieldsRule(max: number, reject: (actual: number) => void): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const count = rootFieldsOf(operation, (name) => context.getFragment(name)).length;
      if (count > max) reject(count);
    },
  });
}

/** graphql-armor words its refusals "… limit of N exceeded, found M."; M is what the operation has. */
function foundIn(error: GraphQLError): number | undefined {
  const found = /found (\d+)/.exec(error.message)?.[1];
  return found === undefined ? undefined : Number(found);
}

/**
 * Checks a document against the depth, aliases, root fields and directives limits with graphql-armor's
 * validation rules (and a root-fields rule of ours); the first limit it is over, or null.
 */
export function documentLimitViolation(schema: GraphQLSchema, document: DocumentNode, limits: DocumentLimits): LimitViolation | null {
  const violations: LimitViolation[] = [];
  // armor's rules would throw (a 500 in Apollo Server) or report a generic error: the violation is collected instead.
  const armor = (limit: LimitName, max: number) => ({
    n: max,
    propagateOnRejection: false,
    onReject: [(_context: ValidationContext | null, error: GraphQLError) => violations.push({ limit, max, actual: foundIn(error) })],
  });
  const rules: ValidationRule[] = [];
  if (limits.maxDepth > 0)
    rules.push(maxDepthRule({ ...armor("depth", limits.maxDepth), flattenFragments: true, ignoreIntrospection: true }));
  if (limits.maxAliases > 0) rules.push(maxAliasesRule(armor("aliases", limits.maxAliases)));
  if (limits.maxRootFields > 0) {
    rules.push(
      maxRootFieldsRule(limits.maxRootFields, (actual) => violations.push({ limit: "rootFields", max: limits.maxRootFields, actual })),
    );
  }
  if (limits.maxDirectives > 0) rules.push(maxDirectivesRule(armor("directives", limits.maxDirectives)));
  if (rules.length === 0) return null;
  validate(schema, document, rules);
  return violations[0] ?? null;
}
