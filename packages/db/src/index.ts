// @storefront/db: the subgraphs' databases (PostgreSQL or embedded PGlite) and Prisma Migrate without the native engine.
export type { DatabaseConfig } from "./config.ts";
export { databaseConfigFromEnv, defaultDataDir } from "./config.ts";
export type { Database, OpenDatabaseOptions } from "./database.ts";
export { openDatabase } from "./database.ts";
export { isUniqueViolation } from "./errors.ts";
export type { CreatedMigration, DriftReport, MigrationOptions, MigrationStatus, MigrationTarget } from "./migrations.ts";
export { checkDrift, createMigration, deployMigrations, devMigrate, migrationSlug, migrationStatus } from "./migrations.ts";
export type { PGlite } from "./pglite.ts";
export type { PoolStats } from "./postgres.ts";
export type { QueryListener, Statement } from "./query-log.ts";
export type { PreparedTemplate, TestDatabase, TestDatabaseOptions } from "./test-databases.ts";
export {
  assertTestDatabaseName,
  createScratchPGlite,
  createTestDatabase,
  createTestDataDir,
  dropTestDatabase,
  prepareTestTemplates,
  templateName,
} from "./test-databases.ts";
