import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type pg from "pg";
import type { Logger } from "../log/create-logger.ts";
import {
  assertSchemaName,
  MigrationChecksumError,
  MigrationFailedError,
  MigrationFileError,
} from "./errors.ts";
import { withTransaction } from "./with-transaction.ts";

export interface MigrateOptions {
  /** The schema the migrations build; their record is `<schema>.schema_migrations`. */
  schema: string;
  /** The folder of `NNN_<what>.sql` files (e.g. `services/scan/migrations`). */
  dir: string;
  log: Logger;
}

export interface MigrateResult {
  /** Files applied by this call, in order. */
  readonly applied: readonly string[];
  /** Files that were already applied (and whose checksums matched). */
  readonly alreadyApplied: readonly string[];
}

/** A migration file name: a number of three or more digits, an underscore, a name, `.sql`. */
const MIGRATION_FILE = /^(\d{3,})_[A-Za-z0-9_-]+\.sql$/;

/**
 * migrate brings `schema` up to date with the numbered SQL files in `dir`, in number order.
 * - Each file runs in its own transaction together with its record (name, sha256 checksum,
 *   time) in `<schema>.schema_migrations`: a file is either fully applied and recorded or not
 *   at all (`MigrationFailedError`, nothing recorded).
 * - Each step takes a transaction-scoped advisory lock keyed on the schema, and re-reads the
 *   record under it, so replicas starting at once apply each file exactly once.
 * - An applied file whose contents changed throws `MigrationChecksumError` naming the file,
 *   before anything new is applied.
 * - The SQL runs with `search_path` = `<schema>, public` (as `createPool` sets it), so it names
 *   its tables unqualified.
 */
export async function migrate(pool: pg.Pool, options: MigrateOptions): Promise<MigrateResult> {
  const { schema, dir, log } = options;
  assertSchemaName(schema);
  const files = await readMigrations(dir);
  const lockKey = advisoryKey(`eco2.migrate.${schema}`);
  // Every step is a transaction that first takes a transaction-scoped advisory lock: replicas
  // queue on it, and it is released by COMMIT/ROLLBACK even when the connection dies. (On PGlite
  // all connections share one session, where session locks would not exclude each other; there a
  // transaction block already has the database to itself.)
  const lock = (client: pg.PoolClient) =>
    client.query("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey]);

  const recorded = await withTransaction(pool, async (client) => {
    await lock(client);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
         name text PRIMARY KEY,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ name: string; checksum: string }>(
      `SELECT name, checksum FROM ${schema}.schema_migrations`,
    );
    return new Map(rows.map((row) => [row.name, row.checksum]));
  });
  for (const file of files) {
    const checksum = recorded.get(file.name);
    if (checksum !== undefined && checksum !== file.checksum) {
      throw new MigrationChecksumError(schema, file.name, checksum, file.checksum);
    }
  }

  const applied: string[] = [];
  const alreadyApplied: string[] = [];
  for (const file of files) {
    if (recorded.has(file.name)) {
      alreadyApplied.push(file.name);
      continue;
    }
    const started = performance.now();
    const didApply = await withTransaction(pool, async (client) => {
      await lock(client);
      // Another replica may have applied it while this one waited for the lock.
      const { rows } = await client.query<{ checksum: string }>(
        `SELECT checksum FROM ${schema}.schema_migrations WHERE name = $1`,
        [file.name],
      );
      if (rows[0]) {
        if (rows[0].checksum !== file.checksum) {
          throw new MigrationChecksumError(schema, file.name, rows[0].checksum, file.checksum);
        }
        return false;
      }
      await client.query(`SET LOCAL search_path TO ${schema}, public`);
      try {
        await client.query(file.sql);
      } catch (err) {
        throw new MigrationFailedError(schema, file.name, err);
      }
      await client.query(
        `INSERT INTO ${schema}.schema_migrations (name, checksum) VALUES ($1, $2)`,
        [file.name, file.checksum],
      );
      return true;
    });
    if (!didApply) {
      alreadyApplied.push(file.name);
      continue;
    }
    applied.push(file.name);
    log.info(
      { schema, migration: file.name, ms: Math.round(performance.now() - started) },
      "migration applied",
    );
  }
  return { applied, alreadyApplied };
}

interface MigrationFile {
  readonly name: string;
  readonly number: number;
  readonly sql: string;
  readonly checksum: string;
}

async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(".sql"));
  const files: MigrationFile[] = [];
  const numbers = new Map<number, string>();
  for (const name of names) {
    const match = MIGRATION_FILE.exec(name);
    if (!match) throw new MigrationFileError(name, "name must look like 001_create_items.sql");
    const number = Number(match[1]);
    const other = numbers.get(number);
    if (other) throw new MigrationFileError(name, `has the same number as ${other}`);
    numbers.set(number, name);
    const bytes = await readFile(join(dir, name));
    files.push({
      name,
      number,
      sql: bytes.toString("utf8"),
      checksum: createHash("sha256").update(bytes).digest("hex"),
    });
  }
  return files.sort((a, b) => a.number - b.number);
}

/** advisoryKey maps a name onto the signed 64-bit key space of pg_advisory_lock. */
function advisoryKey(name: string): string {
  return createHash("sha256").update(name).digest().readBigInt64BE(0).toString();
}
