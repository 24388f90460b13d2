// The location schema at start: migrations, then the shipped dataset when the table is empty, so
// a fresh `npm start` shows the 760 sites (public facility facts, CONTRACT "Data files").
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { migrate } from "../../lib/db/index.ts";
import type { Logger } from "../../lib/log/create-logger.ts";
import { parseSiteFile } from "./formats.ts";
import { type ImportCounts, importSites } from "./import-sites.ts";
import { countSites } from "./store.ts";

export const LOCATION_SCHEMA = "location";
export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));
export const SEED_FILE = fileURLToPath(new URL("./seed/locations.csv.gz", import.meta.url));

/** importFile parses and imports one file (any of the three formats) in one transaction. */
export async function importFile(pool: pg.Pool, path: string): Promise<ImportCounts> {
  return importSites(pool, parseSiteFile(new Uint8Array(await readFile(path))));
}

/** seedIfEmpty imports the shipped dataset (or `seedFile`) when the table has no site yet. */
export async function seedIfEmpty(
  pool: pg.Pool,
  log: Logger,
  seedFile: string = SEED_FILE,
): Promise<void> {
  if ((await countSites(pool)) > 0) return;
  const counts = await importFile(pool, seedFile);
  log.info(
    { rows: counts.rows, inserted: counts.inserted, totals: counts.totals },
    "location sites seeded",
  );
}

export interface PrepareOptions {
  readonly log: Logger;
  /** The pool's schema (tests use their own). */
  readonly schema?: string;
  /** Default: the shipped dataset. */
  readonly seedFile?: string;
}

/**
 * prepareLocationStore migrates the schema and seeds an empty table: the component does the same
 * through openSchema; the importer, tests and the benchmark, which have no component, use this.
 */
export async function prepareLocationStore(pool: pg.Pool, options: PrepareOptions): Promise<void> {
  const { log, schema = LOCATION_SCHEMA, seedFile = SEED_FILE } = options;
  await migrate(pool, { schema, dir: MIGRATIONS_DIR, log });
  await seedIfEmpty(pool, log, seedFile);
}
