// Writes parsed site records into location_normalized_sites: all rows or none.
import { createHash } from "node:crypto";
import type pg from "pg";
import { withTransaction } from "../../lib/db/index.ts";
import { pickupCategories, storeCategory } from "./categories.ts";
import {
  KECO_COLUMNS,
  type KecoColumn,
  type ParsedFile,
  type RowError,
  type SiteRecord,
  type SiteSource,
} from "./formats.ts";

/** ImportRejectedError: the file had bad rows (each with its line); nothing was written. */
export class ImportRejectedError extends Error {
  override readonly name = "ImportRejectedError";
  constructor(readonly errors: readonly RowError[]) {
    super(
      `import rejected, nothing written: ${errors.length} bad row(s): ${errors
        .slice(0, 5)
        .map((e) => `line ${e.line}: ${e.message}`)
        .join("; ")}${errors.length > 5 ? "; …" : ""}`,
    );
  }
}

export interface ImportCounts {
  readonly format: string;
  /** Rows in the file. */
  readonly rows: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Rows imported without a map point (unusable coordinates), with their lines. */
  readonly warnings: readonly RowError[];
  /** Rows per source in the table after the import. */
  readonly totals: Readonly<Record<SiteSource, number>>;
}

/** The display name: KECO's name, the zero-waste export's name, then a fixed fallback (§3.4). */
export function siteName(positnNm: string | null, metadata: string | null): string {
  if (positnNm) return positnNm;
  const display1 = metadataField(metadata, "display1");
  return display1 || "Zero Waste Spot";
}

export function metadataField(metadata: string | null, field: string): string | null {
  if (!metadata) return null;
  try {
    const value = (JSON.parse(metadata) as Record<string, unknown>)[field];
    return typeof value === "string" && value.trim() !== "" ? value : null;
  } catch {
    return null;
  }
}

const snake = (column: string) => column.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const FIELD_COLUMNS = KECO_COLUMNS.filter((c) => c !== "positnSn");

interface RowValues {
  readonly values: unknown[];
}

function rowValues(record: SiteRecord): RowValues {
  const f = record.fields;
  const name = siteName(f.positnNm, record.metadata);
  const store = storeCategory([
    name,
    f.positnIntdcCn,
    f.positnRdnmAddr,
    f.positnLotnoAddr,
    metadataField(record.metadata, "memo"),
    metadataField(record.metadata, "display2"),
  ]);
  const pickup = pickupCategories([f.clctItemCn, f.etcMttrCn]);
  const searchText = [name, f.positnRdnmAddr, f.positnLotnoAddr].filter(Boolean).join(" ");
  const fieldValues = FIELD_COLUMNS.map((column: KecoColumn) => {
    if (column === "positnPstnLat") return record.latitude;
    if (column === "positnPstnLot") return record.longitude;
    return f[column];
  });
  const content = [
    record.source,
    record.sourcePk,
    ...fieldValues,
    record.metadata,
    store,
    pickup,
    searchText,
  ];
  const rowHash = createHash("sha256").update(JSON.stringify(content)).digest("hex");
  return {
    values: [
      record.id,
      record.source,
      record.sourcePk,
      ...fieldValues,
      record.metadata,
      store,
      pickup,
      searchText,
      rowHash,
    ],
  };
}

const COLUMNS = [
  "positn_sn",
  "source",
  "source_pk",
  ...FIELD_COLUMNS.map(snake),
  "source_metadata",
  "store_category",
  "pickup_categories",
  "search_text",
  "row_hash",
];
const LAT = COLUMNS.indexOf("positn_pstn_lat") + 1;
const LON = COLUMNS.indexOf("positn_pstn_lot") + 1;

// An unchanged row (same hash) is skipped by the WHERE and returns nothing; `inserted` tells a
// new row from an updated one.
const ON_CONFLICT = `
  ON CONFLICT (source, source_pk) DO UPDATE SET
    ${[...COLUMNS.filter((c) => c !== "source" && c !== "source_pk"), "earth_point"]
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(",\n    ")},
    updated_at = now()
  WHERE location_normalized_sites.row_hash IS DISTINCT FROM EXCLUDED.row_hash
  RETURNING (xmax = 0) AS inserted`;

const UPSERT_ROW = `
  INSERT INTO location_normalized_sites (${COLUMNS.join(", ")}, earth_point)
  VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(", ")}, ll_to_earth($${LAT}::float8, $${LON}::float8))
  ${ON_CONFLICT}`;

// A chunk of rows in one statement: one array per column, unnested back into rows. The pickup
// categories travel comma-joined, since unnest would flatten an array of arrays.
const ARRAY_TYPE = (column: string) =>
  column === "positn_sn"
    ? "bigint"
    : column === "positn_pstn_lat" || column === "positn_pstn_lot"
      ? "float8"
      : "text";
const UPSERT_CHUNK = `
  INSERT INTO location_normalized_sites (${COLUMNS.join(", ")}, earth_point)
  SELECT ${COLUMNS.map((c) => (c === "pickup_categories" ? "string_to_array(u.pickup_categories, ',')" : `u.${c}`)).join(", ")},
         ll_to_earth(u.positn_pstn_lat, u.positn_pstn_lot)
    FROM unnest(${COLUMNS.map((c, i) => `$${i + 1}::${ARRAY_TYPE(c)}[]`).join(", ")})
         AS u(${COLUMNS.join(", ")})
  ${ON_CONFLICT}`;
const CHUNK_ROWS = 250;
const PICKUP = COLUMNS.indexOf("pickup_categories");

/**
 * matchSeededZeroWaste: the normalised file's zero-waste rows carry an id of their own, with the
 * export's place key only in source_metadata. An export row for a place already in the table takes
 * that row's id and source_pk, so importing the export over the seed updates rather than duplicates.
 */
async function matchSeededZeroWaste(
  client: pg.PoolClient,
  records: readonly SiteRecord[],
  format: string,
): Promise<SiteRecord[]> {
  if (format !== "zerowaste") return [...records];
  const { rows } = await client.query<{ id: string; source_pk: string; key: string }>(
    `SELECT positn_sn::text AS id, source_pk, source_metadata::json->>'key' AS key
       FROM location_normalized_sites
      WHERE source = 'zerowaste' AND source_metadata IS NOT NULL`,
  );
  const byKey = new Map(rows.map((row) => [row.key, row]));
  return records.map((record) => {
    const seeded = byKey.get(record.sourcePk);
    return seeded ? { ...record, id: seeded.id, sourcePk: seeded.source_pk } : record;
  });
}

/**
 * importSites writes a parsed file in one transaction: any bad row (listed by the parser, or
 * refused by the database) rejects the whole file with ImportRejectedError.
 */
export async function importSites(pool: pg.Pool, file: ParsedFile): Promise<ImportCounts> {
  if (file.errors.length > 0) throw new ImportRejectedError(file.errors);
  return withTransaction(pool, async (client) => {
    let inserted = 0;
    let updated = 0;
    const records = await matchSeededZeroWaste(client, file.records, file.format);
    for (let start = 0; start < records.length; start += CHUNK_ROWS) {
      for (const row of await upsertChunk(client, records.slice(start, start + CHUNK_ROWS))) {
        if (row.inserted) inserted += 1;
        else updated += 1;
      }
    }
    return {
      format: file.format,
      rows: records.length,
      inserted,
      updated,
      unchanged: records.length - inserted - updated,
      warnings: file.warnings,
      totals: await countBySource(client),
    };
  });
}

/**
 * upsertChunk writes many rows in one statement (an import of 760 rows is 4 statements, not 760).
 * When the chunk clashes with the table, it is undone to its savepoint and replayed row by row, so
 * the error names the row's line.
 */
async function upsertChunk(
  client: pg.PoolClient,
  chunk: readonly SiteRecord[],
): Promise<{ inserted: boolean }[]> {
  const values = chunk.map((record) => rowValues(record).values);
  const columns = COLUMNS.map((_, i) =>
    values.map((row) => (i === PICKUP ? (row[i] as string[]).join(",") : row[i])),
  );
  await client.query("SAVEPOINT location_chunk");
  try {
    const { rows } = await client.query<{ inserted: boolean }>(UPSERT_CHUNK, columns);
    await client.query("RELEASE SAVEPOINT location_chunk");
    return rows;
  } catch (err) {
    if ((err as { code?: string }).code !== "23505") throw err;
    await client.query("ROLLBACK TO SAVEPOINT location_chunk");
    const rows: { inserted: boolean }[] = [];
    for (const record of chunk) rows.push(...(await upsertRow(client, record)).rows);
    return rows;
  }
}

async function upsertRow(client: pg.PoolClient, record: SiteRecord) {
  try {
    return await client.query<{ inserted: boolean }>(UPSERT_ROW, rowValues(record).values);
  } catch (err) {
    // The id of this row already belongs to another (source, source_pk): the file contradicts the table.
    if ((err as { code?: string }).code === "23505") {
      throw new ImportRejectedError([
        { line: record.line, message: `id ${record.id} already belongs to another site` },
      ]);
    }
    throw err;
  }
}

export async function countBySource(
  client: pg.Pool | pg.PoolClient,
): Promise<Record<SiteSource, number>> {
  const { rows } = await client.query<{ source: SiteSource; n: number }>(
    "SELECT source, count(*)::int AS n FROM location_normalized_sites GROUP BY source",
  );
  const totals: Record<SiteSource, number> = { keco: 0, zerowaste: 0 };
  for (const row of rows) totals[row.source] = row.n;
  return totals;
}
