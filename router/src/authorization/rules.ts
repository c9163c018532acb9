import { type ConstDirectiveNode, type DefinitionNode, Kind, parse, valueFromASTUntyped } from "graphql";

/** What one schema element (a type or a field) demands of the viewer, merged from its directives. */
export interface Requirement {
  /** `@authenticated`: someone must be signed in. */
  readonly authenticated: boolean;
  /** One entry per `@requiresScopes`: alternatives (any one suffices) of scope sets (all needed). */
  readonly scopes: ReadonlyArray<ReadonlyArray<ReadonlyArray<string>>>;
  /**
   * `@policy`: the router has no policy engine (Apollo's needs a coprocessor), so a policy is never
   * met. Failing closed makes an unsupported rule visible instead of silently unenforced.
   */
  readonly policy: boolean;
}

/** The authorization directives of one supergraph, by type name and by `Type.field` coordinate. */
export interface AuthorizationRules {
  readonly types: ReadonlyMap<string, Requirement>;
  readonly fields: ReadonlyMap<string, Requirement>;
}

export const noRequirement: Requirement = { authenticated: false, scopes: [], policy: false };

export function mergeRequirements(a: Requirement, b: Requirement | undefined): Requirement {
  if (!b || b === noRequirement) return a;
  if (a === noRequirement) return b;
  return { authenticated: a.authenticated || b.authenticated, scopes: [...a.scopes, ...b.scopes], policy: a.policy || b.policy };
}

/** The spec features the router enforces, by their identity in `@link(url:)`. */
const features = {
  authenticated: "authenticated",
  requiresScopes: "requiresScopes",
  policy: "policy",
} as const;
type Feature = keyof typeof features;

/**
 * The name each feature's directive has in this supergraph: `@link(url: "https://specs.apollo.dev/<feature>/v0.1", as: "x")`
 * renames it to `@x`. Composition links these features `for: SECURITY`; without a link the default name applies.
 */
function directiveNames(definitions: readonly DefinitionNode[]): Record<Feature, string> {
  const names: Record<Feature, string> = { ...features };
  for (const definition of definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== "link") continue;
      const args = argumentsOf(directive);
      if (typeof args.url !== "string") continue;
      let url: URL;
      try {
        url = new URL(args.url);
      } catch {
        continue;
      }
      if (url.hostname !== "specs.apollo.dev") continue;
      const identity = url.pathname.split("/").filter(Boolean)[0];
      const feature = (Object.keys(features) as Feature[]).find((name) => features[name] === identity);
      if (feature && typeof args.as === "string") names[feature] = args.as;
    }
  }
  return names;
}

function argumentsOf(directive: ConstDirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value)]));
}

function stringSets(value: unknown): string[][] {
  if (!Array.isArray(value)) return [];
  return value.map((set: unknown) => (Array.isArray(set) ? set.filter((scope): scope is string => typeof scope === "string") : []));
}

function requirementOf(directives: readonly ConstDirectiveNode[] | undefined, names: Record<Feature, string>): Requirement | undefined {
  let requirement: Requirement | undefined;
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    let found: Requirement | undefined;
    if (name === names.authenticated) found = { ...noRequirement, authenticated: true };
    else if (name === names.requiresScopes) found = { ...noRequirement, scopes: [stringSets(argumentsOf(directive).scopes)] };
    else if (name === names.policy) found = { ...noRequirement, policy: true };
    if (found) requirement = mergeRequirements(requirement ?? noRequirement, found);
  }
  return requirement;
}

/** Reads `@authenticated`, `@requiresScopes` and `@policy` off a composed supergraph's types and fields. */
export function authorizationRulesOf(supergraphSdl: string): AuthorizationRules {
  const { definitions } = parse(supergraphSdl, { noLocation: true });
  const names = directiveNames(definitions);
  const types = new Map<string, Requirement>();
  const fields = new Map<string, Requirement>();
  const add = (map: Map<string, Requirement>, key: string, requirement: Requirement | undefined) => {
    if (requirement) map.set(key, mergeRequirements(map.get(key) ?? noRequirement, requirement));
  };
  for (const definition of definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        add(types, definition.name.value, requirementOf(definition.directives, names));
        for (const field of definition.fields ?? []) {
          add(fields, `${definition.name.value}.${field.name.value}`, requirementOf(field.directives, names));
        }
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.UNION_TYPE_EXTENSION:
        add(types, definition.name.value, requirementOf(definition.directives, names));
        break;
      default:
        break;
    }
  }
  return { types, fields };
}
