// Prisma for the six subgraph databases, offline: `generate` runs the Prisma CLI (the only command that needs no
// schema engine); migrations run through @storefront/db (the WASM schema engine over a driver adapter).
//   node scripts/prisma.ts generate [--schema <path>]...   every prisma/*/schema.prisma, or the given ones
//   node scripts/prisma.ts deploy [subgraph|--all]         `prisma migrate deploy`
//   node scripts/prisma.ts dev <subgraph> <name>           `prisma migrate dev` that refuses instead of resetting
//   node scripts/prisma.ts create <subgraph> <name>        `prisma migrate dev --create-only`
//   node scripts/prisma.ts status [subgraph|--all]         `prisma migrate status` (exit 1 unless up to date)
//   node scripts/prisma.ts check [subgraph|--all]          exit 2 if a database differs from its schema.prisma
// Database per subgraph: DATABASE_URL_<SUBGRAPH>; else, when one subgraph is named, DATABASE_URL or PGLITE_DIR;
// else the embedded PGlite dir .data/<subgraph>.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { repoRoot } from "./subgraphs.ts";

const usage = `usage: node scripts/prisma.ts <command>
  generate [--schema <path>]...   generate the Prisma clients (all prisma/*/schema.prisma by default)
  deploy [subgraph|--all]         apply pending migrations
  dev <subgraph> <name>           create a migration from schema.prisma changes, then apply it
  create <subgraph> <name>        create a migration without applying it
  status [subgraph|--all]         list pending, failed and edited migrations
  check [subgraph|--all]          exit 2 if a database differs from its schema.prisma`;

// a mistake in the command line: the usage text follows the error
const usageError = (message: string) => Object.assign(new Error(message), { usage: true });

// relative to the working directory when inside it, else absolute
const relative = (file: string) => {
  const short = path.relative(process.cwd(), file);
  return short.startsWith("..") ? path.resolve(file) : short || ".";
};

// Subgraphs that have a database: a prisma/<name>/schema.prisma.
function subgraphsWithSchema(): string[] {
  const prismaRoot = path.join(repoRoot, "prisma");
  if (!fs.existsSync(prismaRoot)) return [];
  return fs
    .readdirSync(prismaRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(prismaRoot, entry.name, "schema.prisma")))
    .map((entry) => entry.name)
    .sort();
}

// ---- generate: the Prisma CLI, with a stub engine so that it does not try to download the native one
function runPrismaGenerate(schemaPath: string): Promise<{ ok: boolean; output: string }> {
  const cli = path.join(path.dirname(createRequire(import.meta.url).resolve("prisma/package.json")), "build", "index.js");
  const env = {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: path.join(repoRoot, "scripts", "no-schema-engine.sh"),
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, "generate", "--schema", schemaPath], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => resolve({ ok: false, output: String(error) }));
    child.on("close", (code) => resolve({ ok: code === 0, output }));
  });
}

async function generate(args: string[]): Promise<number> {
  const schemas: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== "--schema" || !args[i + 1]) throw usageError(`generate: unexpected argument ${args[i]}`);
    schemas.push(path.resolve(args[++i] as string));
  }
  if (schemas.length === 0) schemas.push(...subgraphsWithSchema().map((name) => path.join(repoRoot, "prisma", name, "schema.prisma")));
  const results = await Promise.all(schemas.map(async (schema) => ({ schema, ...(await runPrismaGenerate(schema)) })));
  for (const failed of results.filter((result) => !result.ok)) {
    console.error(`prisma generate failed for ${relative(failed.schema)}:\n${failed.output.trim()}`);
  }
  return results.every((result) => result.ok) ? 0 : 1;
}

// ---- migrations
type Db = typeof import("@storefront/db");

function pickSubgraphs(args: string[], command: string): { subgraphs: string[]; one: boolean } {
  const known = subgraphsWithSchema();
  const [target, extra] = args;
  if (extra) throw usageError(`${command}: unexpected argument ${extra}`);
  if (!target || target === "--all") {
    if (known.length === 0) throw new Error("no prisma/<subgraph>/schema.prisma found");
    return { subgraphs: known, one: false };
  }
  if (!known.includes(target)) throw usageError(`unknown subgraph "${target}" (with a schema: ${known.join(", ") || "none"})`);
  return { subgraphs: [target], one: true };
}

function configFor(db: Db, subgraph: string, one: boolean) {
  const own = process.env[`DATABASE_URL_${subgraph.toUpperCase()}`];
  if (own) return { kind: "postgres" as const, url: own };
  return one ? db.databaseConfigFromEnv(process.env, subgraph) : { kind: "pglite" as const, dataDir: db.defaultDataDir(subgraph) };
}

function describeTarget(config: { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string }): string {
  if (config.kind === "pglite") return config.dataDir.startsWith("memory://") ? "in-memory PGlite" : relative(config.dataDir);
  const url = new URL(config.url);
  return `${url.host}${url.pathname}`;
}

async function migrationCommand(command: string, args: string[]): Promise<number> {
  const db: Db = await import("@storefront/db");
  const schemaDirOf = (subgraph: string) => path.join(repoRoot, "prisma", subgraph);

  if (command === "dev" || command === "create") {
    const [subgraph, name, extra] = args;
    if (!subgraph || !name || extra) throw usageError(`${command} needs <subgraph> <name>`);
    const { subgraphs } = pickSubgraphs([subgraph], command);
    const config = configFor(db, subgraphs[0] as string, true);
    const schemaDir = schemaDirOf(subgraph);
    const migrationsDir = path.join(schemaDir, "migrations");
    if (command === "create") {
      const { migration } = await db.createMigration(config, { schemaDir, name });
      if (!migration) console.log(`${subgraph}: schema.prisma matches the migrations, no migration created`);
      else console.log(`${subgraph}: created ${relative(path.join(migrationsDir, migration, "migration.sql"))} (review it, then deploy)`);
      return 0;
    }
    const { migration, applied } = await db.devMigrate(config, { schemaDir, name });
    if (migration) console.log(`${subgraph}: created ${relative(path.join(migrationsDir, migration, "migration.sql"))}`);
    else console.log(`${subgraph}: schema.prisma matches the migrations, no migration created`);
    console.log(`${subgraph}: ${applied.length ? `applied ${applied.join(", ")}` : "no pending migrations"} on ${describeTarget(config)}`);
    return migration ? generate(["--schema", path.join(schemaDir, "schema.prisma")]) : 0;
  }

  const { subgraphs, one } = pickSubgraphs(args, command);
  if (!one && process.env.DATABASE_URL)
    console.error("note: DATABASE_URL applies to one named subgraph; use DATABASE_URL_<SUBGRAPH> with --all");
  let exitCode = 0;
  for (const subgraph of subgraphs) {
    const config = configFor(db, subgraph, one);
    const schemaDir = schemaDirOf(subgraph);
    const where = describeTarget(config);
    if (command === "deploy") {
      const { applied } = await db.deployMigrations(config, { schemaDir });
      console.log(`${subgraph}: ${applied.length ? `applied ${applied.join(", ")}` : "no pending migrations"} (${where})`);
    } else if (command === "status") {
      const status = await db.migrationStatus(config, { schemaDir });
      const problems = [
        ["pending", status.pending],
        ["failed (see _prisma_migrations.logs; fix by hand)", status.failed],
        ["edited after being applied", status.edited],
        ["applied but missing from migrations/", status.unknown],
      ] as const;
      if (status.upToDate) console.log(`${subgraph}: up to date, ${status.migrations.length} migration(s) (${where})`);
      else {
        console.log(`${subgraph}: not up to date (${where})`);
        for (const [label, names] of problems) if (names.length) console.log(`  ${label}: ${names.join(", ")}`);
        exitCode = Math.max(exitCode, 1);
      }
    } else if (command === "check") {
      const { drifted, diff } = await db.checkDrift(config, { schemaDir });
      if (!drifted) console.log(`${subgraph}: database matches schema.prisma (${where})`);
      else {
        console.log(`${subgraph}: database differs from schema.prisma (${where}):\n${diff.trim()}`);
        exitCode = 2;
      }
    }
  }
  return exitCode;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === "generate") return generate(args);
  if (command && ["deploy", "dev", "create", "status", "check"].includes(command)) return migrationCommand(command, args);
  if (!command || command === "help" || command === "--help") {
    console.log(usage);
    return command ? 0 : 1;
  }
  throw usageError(`unknown command "${command}"`);
}

// exit explicitly: nothing may keep a CLI run alive (pools, PGlite, the engine's timers)
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${process.env.DEBUG ? (error as Error).stack : message.split("\n")[0]}`);
    if ((error as { usage?: boolean }).usage) console.error(usage);
    process.exit(1);
  },
);
