// Typed operations for the app (npm run generate): GraphQL Code Generator's client preset, checked against the API
// schema clients see, the composed supergraph without its federation machinery. An operation asking for a field the
// supergraph lacks fails here, so `npm run typecheck` and `npm run build` fail too. The output (src/gql/) is
// generated, git-ignored and never edited.
import { readFileSync } from "node:fs";
import path from "node:path";
import federation from "@apollo/federation-internals";
import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform, type ClientPresetConfig } from "@graphql-codegen/client-preset";
import { printSchema } from "graphql";

const supergraphSdl = readFileSync(path.join(import.meta.dirname, "../../schema/supergraph.graphql"), "utf8");
// The router enforces @authenticated and @requiresScopes itself; turning off the feature check lets their links through.
const apiSchema = federation.Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();

const presetConfig: ClientPresetConfig = {
  // Components see only the fields their own fragment asks for; getFragmentData unmasks (a plain function, not a hook).
  fragmentMasking: { unmaskFunctionName: "getFragmentData" },
  // The manifest the router serves (PERSISTED_OPERATIONS_PATH); every document carries its id (sha256:<hex>).
  persistedDocuments: { hashAlgorithm: "sha256" },
};

const config: CodegenConfig = {
  overwrite: true,
  schema: printSchema(apiSchema),
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig,
      // urql's cache reads __typename; the manifest must hold what is sent, so it is added here, not at run time.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        defaultScalarType: "unknown",
        scalars: { DateTime: "string", CurrencyCode: "string", EmailAddress: "string" },
      },
    },
  },
};

export default config;
