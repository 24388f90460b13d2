// The three files the location importer reads (CONTRACT §3.4), turned into one record shape:
// - the normalised CSV: source, source_pk, the KECO columns, source_metadata (JSON);
// - the raw KECO recycling-compensation CSV: the KECO columns positnSn…etcMttrCn;
// - the zero-waste map export: folderId, seq, favoriteType, color, memo, display1 (name),
//   display2 (address), x, y, lon, lat, key, createdAt, updatedAt.
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";

/** The KECO columns, in file order; the table's columns are their snake_case names. */
export const KECO_COLUMNS = [
  "positnSn",
  "positnNm",
  "positnRgnNm",
  "positnLotnoAddr",
  "positnRdnmAddr",
  "positnPstnAddExpln",
  "positnPstnLat",
  "positnPstnLot",
  "positnIntdcCn",
  "positnCnvncFcltSrvcExpln",
  "prkMthdExpln",
  "monSalsHrExplnCn",
  "tuesSalsHrExplnCn",
  "wedSalsHrExplnCn",
  "thurSalsHrExplnCn",
  "friSalsHrExplnCn",
  "satSalsHrExplnCn",
  "sunSalsHrExplnCn",
  "lhldySalsHrExplnCn",
  "lhldyDyoffCn",
  "tmprLhldyCn",
  "dyoffBgndeCn",
  "dyoffEnddtCn",
  "dyoffRsnExpln",
  "bscTelnoCn",
  "rprsTelnoCn",
  "telnoExpln",
  "indivTelnoCn",
  "lnkgHmpgUrlAddr",
  "indivRelSrchListCn",
  "comRelSrwrdListCn",
  "clctItemCn",
  "etcMttrCn",
] as const;

export type KecoColumn = (typeof KECO_COLUMNS)[number];
export type SiteSource = "keco" | "zerowaste";
export type FileFormat = "normalised" | "keco" | "zerowaste";

/** SiteRecord is one site as the importer writes it. */
export interface SiteRecord {
  /** The row's first line in the file (1 = the header). */
  readonly line: number;
  readonly id: string;
  readonly source: SiteSource;
  readonly sourcePk: string;
  /** KECO column values; empty cells are null. Latitude and longitude are also parsed below. */
  readonly fields: Readonly<Record<KecoColumn, string | null>>;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly metadata: string | null;
  /** Set when the row is imported but something in it was dropped (see coordinates). */
  readonly warning?: string;
}

export interface RowError {
  readonly line: number;
  readonly message: string;
}

export interface ParsedFile {
  readonly format: FileFormat;
  readonly records: readonly SiteRecord[];
  readonly errors: readonly RowError[];
  readonly warnings: readonly RowError[];
}

/** UnreadableFileError: the file as a whole is not one of the three formats (or not CSV). */
export class UnreadableFileError extends Error {
  override readonly name = "UnreadableFileError";
}

const ZEROWASTE_COLUMNS = ["display1", "display2", "lat", "lon", "key"] as const;
const MAX_ID = 9_223_372_036_854_775_807n;

/**
 * decodeText: gzip by its magic bytes; UTF-8 (BOM dropped), or EUC-KR/CP949 when the bytes are not
 * valid UTF-8, which is how Korean public-data portals export CSV.
 */
export function decodeText(bytes: Uint8Array): string {
  const plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(plain);
  } catch {
    return new TextDecoder("euc-kr").decode(plain);
  }
}

interface CsvRow {
  readonly line: number;
  readonly cells: readonly string[];
}

/** readCsv gives the header and each row with the line it starts on. */
function readCsv(text: string): { header: string[]; rows: CsvRow[] } {
  let parsed: { record: string[]; info: { lines: number; empty_lines: number } }[];
  try {
    // With `info`, each record comes with the line it ends on (the types do not follow the option).
    parsed = parse(text, {
      info: true,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as typeof parsed;
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw new UnreadableFileError(
      `not readable as CSV${line ? ` (line ${line})` : ""}: ${(err as Error).message}`,
    );
  }
  const [head, ...body] = parsed;
  if (!head) throw new UnreadableFileError("the file is empty");
  const rows: CsvRow[] = [];
  let previousEnd = head.info.lines;
  let previousEmpty = head.info.empty_lines;
  for (const { record, info } of body) {
    rows.push({ line: previousEnd + 1 + (info.empty_lines - previousEmpty), cells: record });
    previousEnd = info.lines;
    previousEmpty = info.empty_lines;
  }
  return { header: head.record.map((name) => name.trim()), rows };
}

/** detectFormat names the file's format from its header. */
export function detectFormat(header: readonly string[]): FileFormat {
  const has = (name: string) => header.includes(name);
  if (has("source") && has("source_pk") && has("positnSn")) return "normalised";
  if (has("positnSn") && has("positnPstnLat") && has("positnPstnLot")) return "keco";
  if (ZEROWASTE_COLUMNS.every(has)) return "zerowaste";
  throw new UnreadableFileError(
    `unknown header (expected the normalised CSV, the KECO CSV or the zero-waste export): ${header.slice(0, 6).join(",")}…`,
  );
}

/** parseSiteFile reads a whole file; rows that do not make a valid site are listed, not dropped. */
export function parseSiteFile(bytes: Uint8Array): ParsedFile {
  const { header, rows } = readCsv(decodeText(bytes));
  const format = detectFormat(header);
  const records: SiteRecord[] = [];
  const errors: RowError[] = [];
  const warnings: RowError[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    const result = toRecord(format, header, row);
    if ("message" in result) {
      errors.push(result);
      continue;
    }
    const key = `${result.source}/${result.sourcePk}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ line: row.line, message: `duplicate ${key} (first on line ${first})` });
      continue;
    }
    seen.set(key, row.line);
    records.push(result);
    if (result.warning) warnings.push({ line: row.line, message: result.warning });
  }
  return { format, records, errors, warnings };
}

function toRecord(
  format: FileFormat,
  header: readonly string[],
  row: CsvRow,
): SiteRecord | RowError {
  if (row.cells.length !== header.length) {
    return {
      line: row.line,
      message: `has ${row.cells.length} columns, the header has ${header.length}`,
    };
  }
  const cells: Record<string, string> = {};
  header.forEach((name, i) => {
    cells[name] = row.cells[i] ?? "";
  });
  try {
    if (format === "normalised") return normalisedRecord(row.line, cells);
    if (format === "keco") return kecoRecord(row.line, cells);
    return zerowasteRecord(row.line, cells);
  } catch (err) {
    return { line: row.line, message: (err as Error).message };
  }
}

function blank(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed === "" ? null : trimmed;
}

function kecoFields(cells: Record<string, string>): Record<KecoColumn, string | null> {
  return Object.fromEntries(KECO_COLUMNS.map((column) => [column, blank(cells[column])])) as Record<
    KecoColumn,
    string | null
  >;
}

/**
 * coordinates: both numbers in range, or neither. The published data has rows with one half
 * missing or mistyped ("127.7.23106"): such a site is still a site (L4 finds it) but has no point
 * on the map, which the import reports as a warning rather than refusing the file.
 */
function coordinates(
  lat: string | null,
  lon: string | null,
): { point: [number, number] | [null, null]; warning?: string } {
  if (lat === null && lon === null) return { point: [null, null] };
  if (lat === null || lon === null) {
    return { point: [null, null], warning: "only one of latitude and longitude: no map point" };
  }
  const latitude = Number(lat);
  const longitude = Number(lon);
  if (!Number.isFinite(latitude) || latitude < -90 || latitude > 90) {
    return {
      point: [null, null],
      warning: `latitude ${JSON.stringify(lat)} unusable: no map point`,
    };
  }
  if (!Number.isFinite(longitude) || longitude < -180 || longitude > 180) {
    return {
      point: [null, null],
      warning: `longitude ${JSON.stringify(lon)} unusable: no map point`,
    };
  }
  return { point: [latitude, longitude] };
}

/** siteId: the public id (L4's center_id) is a positive decimal int64. */
function siteId(value: string | null, what: string): string {
  if (
    value === null ||
    !/^[0-9]{1,19}$/.test(value) ||
    BigInt(value) > MAX_ID ||
    BigInt(value) === 0n
  ) {
    throw new Error(`${what} ${JSON.stringify(value ?? "")} is not a positive integer id`);
  }
  return BigInt(value).toString();
}

function normalisedRecord(line: number, cells: Record<string, string>): SiteRecord {
  const source = blank(cells.source);
  if (source !== "keco" && source !== "zerowaste") {
    throw new Error(`source ${JSON.stringify(cells.source ?? "")} is neither keco nor zerowaste`);
  }
  const sourcePk = blank(cells.source_pk);
  if (sourcePk === null) throw new Error("source_pk is empty");
  const fields = kecoFields(cells);
  const metadata = blank(cells.source_metadata);
  if (metadata !== null) {
    try {
      JSON.parse(metadata);
    } catch {
      throw new Error("source_metadata is not JSON");
    }
  }
  const { point, warning } = coordinates(fields.positnPstnLat, fields.positnPstnLot);
  return {
    line,
    id: siteId(fields.positnSn, "positnSn"),
    source,
    sourcePk,
    fields,
    latitude: point[0],
    longitude: point[1],
    metadata,
    warning,
  };
}

function kecoRecord(line: number, cells: Record<string, string>): SiteRecord {
  const fields = kecoFields(cells);
  const id = siteId(fields.positnSn, "positnSn");
  const { point, warning } = coordinates(fields.positnPstnLat, fields.positnPstnLot);
  // The normalised file keeps the raw KECO row as metadata; so does this import.
  const metadata = JSON.stringify(Object.fromEntries(KECO_COLUMNS.map((c) => [c, cells[c] ?? ""])));
  return {
    line,
    id,
    source: "keco",
    sourcePk: id,
    fields,
    latitude: point[0],
    longitude: point[1],
    metadata,
    warning,
  };
}

/**
 * zeroWasteId: the export has no numeric id, so one is derived from its place key, above the
 * range KECO serial numbers and the normalised file's ids use (< 2^32), stable across imports.
 */
export function zeroWasteId(key: string): string {
  const hash = createHash("sha256").update(`zerowaste:${key}`).digest();
  return (2n ** 32n + (hash.readBigUInt64BE(0) % 2n ** 46n)).toString();
}

function zerowasteRecord(line: number, cells: Record<string, string>): SiteRecord {
  const key = blank(cells.key);
  if (key === null) throw new Error("key is empty");
  const { point, warning } = coordinates(blank(cells.lat), blank(cells.lon));
  const [latitude, longitude] = point;
  const empty = kecoFields({});
  const name = blank(cells.display1);
  const address = blank(cells.display2);
  const fields: Record<KecoColumn, string | null> = {
    ...empty,
    positnNm: name,
    positnLotnoAddr: address,
    positnRdnmAddr: address,
    positnPstnLat: latitude === null ? null : String(latitude),
    positnPstnLot: longitude === null ? null : String(longitude),
    positnCnvncFcltSrvcExpln: blank(cells.favoriteType),
  };
  const { seq: _seq, ...rest } = cells;
  const metadata = JSON.stringify({ ...rest, lat: latitude, lon: longitude });
  return {
    line,
    id: zeroWasteId(key),
    source: "zerowaste",
    sourcePk: key,
    fields,
    latitude,
    longitude,
    metadata,
    warning,
  };
}
