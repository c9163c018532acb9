// What changed between the base and now, graded for the clients: GraphQL schemas through graphql-inspector's diff.
import { CriticalityLevel, diff, type Change as InspectorChange } from "@graphql-inspector/core";
import type { GraphQLSchema } from "graphql";

export const levels = ["breaking", "dangerous", "safe"] as const;
export type Level = (typeof levels)[number];

/** One change, at one coordinate (`Product.inStock`, `Query.products(first:)`, `order.placed.v1#data.total`). */
export interface Change {
  readonly level: Level;
  readonly coordinate: string;
  readonly message: string;
  /** What changed: `api` (the router's API schema), `subgraph <name>` or `event <type>`. */
  readonly where: string;
  /** The kind of change (graphql-inspector's change type, or ours for events), for matching and for tests. */
  readonly kind: string;
}

const levelOf: Record<CriticalityLevel, Level> = {
  [CriticalityLevel.Breaking]: "breaking",
  [CriticalityLevel.Dangerous]: "dangerous",
  [CriticalityLevel.NonBreaking]: "safe",
};

/** graphql-inspector's path (`Type.field.argument`) as a schema coordinate (`Type.field(argument:)`). */
function coordinateOf(change: InspectorChange): string {
  const path = change.path ?? "(schema)";
  if (/^FIELD_ARGUMENT_/.test(change.type)) {
    const [type, field, argument] = path.split(".");
    if (type && field && argument) return `${type}.${field}(${argument}:)`;
  }
  return path;
}

/** Changes that add or remove a whole element; what graphql-inspector reports about its parts too is an echo. */
const wholeElement = /^(TYPE|FIELD|INPUT_FIELD|ENUM_VALUE|DIRECTIVE|FIELD_ARGUMENT)_(ADDED|REMOVED)$/;

/**
 * graphql-inspector reports some changes more than once: a new field also as its new description and directives, a
 * new directive as each of its locations and arguments, a deprecation also as the `@deprecated` usage it is, a
 * directive usage as each of its arguments. The report keeps the one that says it plainly.
 */
function withoutEchoes(changes: readonly InspectorChange[]): InspectorChange[] {
  const elements = changes.filter((change) => wholeElement.test(change.type)).map((change) => change.path ?? "");
  const usages = changes.filter((change) => /^DIRECTIVE_USAGE_.*_(ADDED|REMOVED)$/.test(change.type) && !change.type.includes("ARGUMENT"));
  const usagePaths = new Set(usages.map((change) => change.path));
  return changes.filter((change) => {
    const path = change.path ?? "";
    if (!wholeElement.test(change.type) && elements.some((element) => path === element || path.startsWith(`${element}.`))) return false;
    if (change.type.startsWith("DIRECTIVE_USAGE_") && path.includes(".@deprecated")) return false;
    if (change.type.startsWith("DIRECTIVE_USAGE_ARGUMENT_")) return !usagePaths.has(path.slice(0, path.lastIndexOf(".")));
    return true;
  });
}

/** The changes from `before` to `after` (null: a schema that does not exist on that side), graded for the clients. */
export async function schemaChanges(where: string, before: GraphQLSchema | null, after: GraphQLSchema | null): Promise<Change[]> {
  return withoutEchoes(await diff(before, after)).map((change) => ({
    level: levelOf[change.criticality.level],
    coordinate: coordinateOf(change),
    message: change.message,
    where,
    kind: change.type,
  }));
}
