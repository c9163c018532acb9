// ESLint lints the subgraphs' SDL only (npm run schema:lint); TypeScript and JSON are Biome's (npm run lint).
export { default } from "./scripts/schema-lint/config.ts";
