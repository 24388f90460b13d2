/**
 * MigrationChecksumError stops start-up when a migration file that was already applied has
 * changed since: the database no longer matches the files, and only a person can decide which is
 * right. Fix by restoring the file and adding a new numbered migration instead.
 */
export class MigrationChecksumError extends Error {
  override readonly name = "MigrationChecksumError";
  constructor(
    readonly schema: string,
    readonly file: string,
    readonly appliedChecksum: string,
    readonly fileChecksum: string,
  ) {
    super(
      `migration ${file} in schema ${schema} was changed after it was applied ` +
        `(applied sha256 ${appliedChecksum}, file sha256 ${fileChecksum}); ` +
        "restore the file and put the change in a new numbered migration",
    );
  }
}

/** MigrationFileError names a file in a migrations folder that does not follow `NNN_<what>.sql`. */
export class MigrationFileError extends Error {
  override readonly name = "MigrationFileError";
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`migration ${file}: ${reason}`);
  }
}

/** InvalidSchemaNameError: schema names are plain lower-case identifiers, never quoted. */
export class InvalidSchemaNameError extends Error {
  override readonly name = "InvalidSchemaNameError";
  constructor(readonly schema: string) {
    super(`invalid schema name ${JSON.stringify(schema)}: use [a-z_][a-z0-9_]{0,62}`);
  }
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** assertSchemaName throws InvalidSchemaNameError unless `schema` is safe to splice into SQL. */
export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) throw new InvalidSchemaNameError(schema);
}

/** isMigrationChecksumError checks by name, so it holds across duplicate copies of this module. */
export function isMigrationChecksumError(err: unknown): err is MigrationChecksumError {
  return err instanceof Error && err.name === "MigrationChecksumError";
}

/** MigrationFailedError: a migration's SQL failed; it was rolled back and not recorded. */
export class MigrationFailedError extends Error {
  override readonly name = "MigrationFailedError";
  constructor(
    readonly schema: string,
    readonly file: string,
    cause: unknown,
  ) {
    super(
      `migration ${file} in schema ${schema} failed and was rolled back: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
}

/** DataDirInUseError: another running process has the PGlite data folder open. */
export class DataDirInUseError extends Error {
  override readonly name = "DataDirInUseError";
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `PGlite data folder ${dataDir} is in use by process ${pid}; ` +
        "stop it, or give this process another folder",
    );
  }
}

/** isDataDirInUseError checks by name, so it holds across duplicate copies of this module. */
export function isDataDirInUseError(err: unknown): err is DataDirInUseError {
  return err instanceof Error && err.name === "DataDirInUseError";
}
