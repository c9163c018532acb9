// Which database a subgraph uses, from the environment.
import path from "node:path";

export type DatabaseConfig = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

export const repoRoot = path.resolve(import.meta.dirname, "../../..");

export const defaultDataDir = (subgraph: string) => path.join(repoRoot, ".data", subgraph);

// Precedence: DATABASE_URL (a PostgreSQL server) > PGLITE_DIR (embedded, a directory or "memory://")
// > the embedded default <repo>/.data/<subgraph>, so a fresh clone runs with no server at all.
export function databaseConfigFromEnv(env: Record<string, string | undefined>, subgraph: string): DatabaseConfig {
  if (env.DATABASE_URL) return { kind: "postgres", url: env.DATABASE_URL };
  if (env.PGLITE_DIR) return { kind: "pglite", dataDir: env.PGLITE_DIR };
  return { kind: "pglite", dataDir: defaultDataDir(subgraph) };
}
