// ESLint flat config for the subgraphs' SDL (npm run schema:lint): graphql-eslint's schema rules with the project's
// conventions, each subgraph linted against its own schema as its server builds it (federation directives included).
import { readFileSync } from "node:fs";
import path from "node:path";
import graphqlEslint from "@graphql-eslint/eslint-plugin";
import { subgraphSchemaSdlOf } from "../schema-checks/schemas.ts";
import { repoRoot, subgraphNames } from "../subgraphs.ts";
import { storefrontSchemaRules } from "./rules.ts";

/**
 * Who owns each entity (the README's "Architecture": the subgraph that defines its @key and most of its fields). Another subgraph's definition of it is a reference
 * or a contribution: a docstring there would compete with the owner's in composition (the supergraph takes the most
 * frequent one), so such a type carries a # comment instead and only its fields need docstrings.
 */
const entityOwners: Record<string, string> = { User: "users", Product: "catalog", Order: "orders", Payment: "payments" };

const sdlOf = (name: string) => path.join("subgraphs", name, "schema.graphql");

// graphql-eslint builds a federation schema itself with @apollo/subgraph's older call form, which 2.15 no longer takes;
// it is given each subgraph's printed schema instead (the same schema, with _entities, _Any and the directives).
const projects = Object.fromEntries(
  subgraphNames.map((name) => [
    name,
    { schema: subgraphSchemaSdlOf(readFileSync(path.join(repoRoot, sdlOf(name)), "utf8")), include: [sdlOf(name)] },
  ]),
);

const ignoredTypes = (name: string) => [
  // root types: every subgraph has its own part of Query and Mutation, documented field by field
  "ObjectTypeDefinition[name.value=/^(Query|Mutation|Subscription)$/]",
  ...Object.entries(entityOwners)
    .filter(([, owner]) => owner !== name)
    .map(([type]) => `ObjectTypeDefinition[name.value=${type}]`),
];

export default [
  {
    files: ["subgraphs/*/schema.graphql"],
    languageOptions: { parser: graphqlEslint.parser, parserOptions: { graphQLConfig: { projects } } },
    plugins: { "@graphql-eslint": graphqlEslint, storefront: storefrontSchemaRules },
    rules: {
      ...graphqlEslint.configs["flat/schema-recommended"].rules,
      // Relay's connection shape; relay-page-info is left out: it looks at the first file only, and composition keeps the
      // @shareable PageInfo identical in every subgraph anyway
      "@graphql-eslint/relay-connection-types": "error",
      "@graphql-eslint/relay-edge-types": [
        "error",
        { withEdgeSuffix: true, shouldImplementNode: false, listTypeCanWrapOnlyEdgeType: false },
      ],
      // forward pagination (first/after) is what the shop offers; backward is not a convention here
      "@graphql-eslint/relay-arguments": ["error", { includeBoth: false }],
      "@graphql-eslint/require-description": [
        "error",
        { types: true, rootField: true, FieldDefinition: true, InputValueDefinition: true, EnumValueDefinition: true },
      ],
      // one line: "inline"; more: block. The rule knows one style only; Biome formats the rest.
      "@graphql-eslint/description-style": "off",
      // value types (Money, PageInfo, edges, results) have no id of their own; entities have @key instead
      "@graphql-eslint/strict-id-in-types": "off",
      // the # comments left are the notes on entities owned elsewhere (see entityOwners), on purpose
      "@graphql-eslint/no-hashtag-description": "off",
      "storefront/money-for-amounts": ["error", { moneyTypes: ["Money", "MoneyInput", "PriceRange"] }],
      "storefront/list-shape": "error",
    },
  },
  ...subgraphNames.map((name) => ({
    files: [sdlOf(name)],
    rules: {
      "@graphql-eslint/require-description": [
        "error",
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          ignoredSelectors: ignoredTypes(name),
        },
      ],
    },
  })),
];
