export { type CreatePoolOptions, createPool } from "./create-pool.ts";
export {
  assertSchemaName,
  DataDirInUseError,
  InvalidSchemaNameError,
  isDataDirInUseError,
  isMigrationChecksumError,
  MigrationChecksumError,
  MigrationFailedError,
  MigrationFileError,
} from "./errors.ts";
export { type MigrateOptions, type MigrateResult, migrate } from "./migrate.ts";
export { type DatabaseServer, type OpenDatabaseOptions, openDatabase } from "./open-database.ts";
export { dbPoolConnections } from "./pool-metrics.ts";
export { type PgliteServer, type ServePgliteOptions, servePglite } from "./serve-pglite.ts";
export { withTransaction } from "./with-transaction.ts";
