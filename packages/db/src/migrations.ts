// Migration authoring and diagnosis (what `prisma migrate dev|status` and a drift check do), on the WASM engine.
import fs from "node:fs";
import path from "node:path";
import type { DatabaseConfig } from "./config.ts";
import type { Database } from "./database.ts";
import { applyMigrations, databaseInternals, databaseOver, openDatabase, pgliteBackend } from "./database.ts";
import type { SchemaEngine } from "./engine.ts";
import { engineError, migrationLockToml, migrationsDir, noFilters, readMigrations, readSchema } from "./engine.ts";
import { openPGlite } from "./pglite.ts";

/** an open Database (left open), or a config (opened and closed around the call) */
export type MigrationTarget = DatabaseConfig | Database;
export type MigrationOptions = { schemaDir: string };

const isDatabase = (target: MigrationTarget): target is Database => "adapter" in target;

// Only creating a migration needs no main database: on PGlite a throw-away in-memory one also serves as the shadow.
const throwawayPGlite = Symbol("throwaway PGlite");

async function onEngine<T>(
  target: MigrationTarget | typeof throwawayPGlite,
  schemaDir: string,
  action: string,
  run: (engine: SchemaEngine, database: Database) => Promise<T>,
): Promise<T> {
  const database =
    target === throwawayPGlite
      ? databaseOver(pgliteBackend(await openPGlite("memory://"), { throwawayMain: true }), { schemaDir })
      : isDatabase(target)
        ? target
        : await openDatabase(target, { schemaDir, poolSize: 1 });
  try {
    return await databaseInternals(database).runEngine(schemaDir, (engine) =>
      run(engine, database).catch((error: unknown) => {
        throw error instanceof Error && error.message.startsWith("cannot ") ? error : engineError(error, action);
      }),
    );
  } finally {
    if (database !== target) await database.close();
  }
}

/** `prisma migrate deploy` */
export function deployMigrations(target: MigrationTarget, { schemaDir }: MigrationOptions): Promise<{ applied: string[] }> {
  return onEngine(target, schemaDir, "cannot deploy", (engine) => applyMigrations(engine, schemaDir));
}

// The CLI slugifies --name the same way: lower case, runs of other characters become "_".
export function migrationSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 200);
  if (!slug) throw new Error(`invalid migration name ${JSON.stringify(name)}: use letters and digits`);
  return slug;
}

const utcStamp = (now: Date) => now.toISOString().replace(/\D/g, "").slice(0, 14);

export type CreatedMigration = { migration: string | null; sql: string };

// The SQL from the replayed migrations (on a shadow database) to schema.prisma. engine.createMigration() refuses
// adapters on PostgreSQL, so there is no "Warnings:" header for data loss: read destructive SQL before deploying it.
async function writeMigration(engine: SchemaEngine, schemaDir: string, name: string, now: Date): Promise<CreatedMigration> {
  const slug = migrationSlug(name);
  const result = await engine.diff({
    from: { tag: "migrations", ...readMigrations(schemaDir) },
    to: { tag: "schemaDatamodel", ...readSchema(schemaDir) },
    script: true,
    exitCode: true,
    filters: noFilters,
  });
  if (result.exitCode !== 2) return { migration: null, sql: "" };
  const migration = `${utcStamp(now)}_${slug}`;
  const dir = path.join(migrationsDir(schemaDir), migration);
  if (fs.existsSync(dir)) throw new Error(`migration ${migration} already exists`);
  const sql = result.stdout ?? "";
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), sql);
  const lock = path.join(migrationsDir(schemaDir), "migration_lock.toml");
  if (!fs.existsSync(lock)) fs.writeFileSync(lock, migrationLockToml);
  return { migration, sql };
}

/** `prisma migrate dev --create-only`: writes migrations/<UTC yyyymmddHHMMSS>_<name>/migration.sql, or nothing if in sync */
export function createMigration(
  target: MigrationTarget,
  { schemaDir, name, now = new Date() }: MigrationOptions & { name: string; now?: Date },
): Promise<CreatedMigration> {
  migrationSlug(name);
  // An embedded target is not opened at all, so the app may keep its data dir open meanwhile.
  const where = !isDatabase(target) && target.kind === "pglite" ? throwawayPGlite : target;
  return onEngine(where, schemaDir, "cannot create a migration", (engine) => writeMigration(engine, schemaDir, name, now));
}

export type MigrationStatus = {
  /** folders in migrations/, in order */
  migrations: string[];
  /** in migrations/, not applied */
  pending: string[];
  /** applied, missing from migrations/ */
  unknown: string[];
  /** started and never finished (the failure is in _prisma_migrations.logs) */
  failed: string[];
  /** migration.sql changed after it was applied (checksum differs) */
  edited: string[];
  hasMigrationsTable: boolean;
  upToDate: boolean;
};

/** `prisma migrate status` */
export function migrationStatus(target: MigrationTarget, { schemaDir }: MigrationOptions): Promise<MigrationStatus> {
  return onEngine(target, schemaDir, "cannot read the migration status", async (engine) => {
    const migrationsList = readMigrations(schemaDir);
    const report = await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: noFilters });
    const history = report.history;
    const pending = history && history.diagnostic !== "migrationsDirectoryIsBehind" ? history.unappliedMigrationNames : [];
    const unknown = history && history.diagnostic !== "databaseIsBehind" ? history.unpersistedMigrationNames : [];
    return {
      migrations: migrationsList.migrationDirectories.map((dir) => dir.path),
      pending,
      unknown,
      failed: report.failedMigrationNames,
      edited: report.editedMigrationNames,
      hasMigrationsTable: report.hasMigrationsTable,
      upToDate: !history && report.failedMigrationNames.length === 0 && report.editedMigrationNames.length === 0,
    };
  });
}

export type DriftReport = { drifted: boolean; diff: string };

/** Does the live database differ from schema.prisma? `diff` is the engine's summary ("[-] Removed column …"). */
export function checkDrift(target: MigrationTarget, { schemaDir }: MigrationOptions): Promise<DriftReport> {
  return onEngine(target, schemaDir, "cannot check for drift", async (engine) => {
    const schema = readSchema(schemaDir);
    const result = await engine.diff({
      from: { tag: "schemaDatasource", ...schema, configDir: schemaDir },
      to: { tag: "schemaDatamodel", ...schema },
      script: false,
      exitCode: true,
      filters: noFilters,
    });
    return { drifted: result.exitCode === 2, diff: result.exitCode === 2 ? (result.stdout ?? "") : "" };
  });
}

/** `prisma migrate dev`, minus the reset: refuses on drift, edited or failed migrations; creates, then applies. */
export function devMigrate(
  target: MigrationTarget,
  { schemaDir, name, now = new Date() }: MigrationOptions & { name: string; now?: Date },
): Promise<CreatedMigration & { applied: string[] }> {
  migrationSlug(name);
  return onEngine(target, schemaDir, "migrate dev failed", async (engine) => {
    const migrationsList = readMigrations(schemaDir);
    const history = await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: noFilters });
    for (const [problem, names] of [
      ["failed", history.failedMigrationNames],
      ["edited after being applied", history.editedMigrationNames],
    ] as const) {
      if (names.length) throw new Error(`refusing to reset the database: migration(s) ${problem}: ${names.join(", ")} (fix it by hand)`);
    }
    const { action } = await engine.devDiagnostic({ migrationsList, filters: noFilters });
    if (action.tag === "reset") throw new Error(`refusing to reset the database (fix it by hand or reset it yourself): ${action.reason}`);
    const created = await writeMigration(engine, schemaDir, name, now);
    const { applied } = await applyMigrations(engine, schemaDir);
    return { ...created, applied };
  });
}
