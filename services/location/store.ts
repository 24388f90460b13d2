// The location service's SQL: nearby sites by great-circle distance, one site, text search.
import type pg from "pg";

/** SiteRow is what every query returns of a site (detail columns included: one shape for all). */
export interface SiteRow {
  readonly id: string;
  readonly source: string;
  readonly positn_nm: string | null;
  readonly positn_rdnm_addr: string | null;
  readonly positn_lotno_addr: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly positn_intdc_cn: string | null;
  readonly mon: string | null;
  readonly tues: string | null;
  readonly wed: string | null;
  readonly thur: string | null;
  readonly fri: string | null;
  readonly sat: string | null;
  readonly sun: string | null;
  readonly rprs_telno_cn: string | null;
  readonly bsc_telno_cn: string | null;
  readonly indiv_telno_cn: string | null;
  readonly lnkg_hmpg_url_addr: string | null;
  readonly clct_item_cn: string | null;
  readonly source_metadata: string | null;
  readonly store_category: string;
  readonly pickup_categories: string[];
}

/** A site with its distance in metres from the point asked about. */
export interface NearbySiteRow extends SiteRow {
  readonly distance_m: number;
}

const SITE_COLUMNS = `
  s.positn_sn::text AS id, s.source, s.positn_nm, s.positn_rdnm_addr, s.positn_lotno_addr,
  s.positn_pstn_lat AS latitude, s.positn_pstn_lot AS longitude, s.positn_intdc_cn,
  s.mon_sals_hr_expln_cn AS mon, s.tues_sals_hr_expln_cn AS tues, s.wed_sals_hr_expln_cn AS wed,
  s.thur_sals_hr_expln_cn AS thur, s.fri_sals_hr_expln_cn AS fri, s.sat_sals_hr_expln_cn AS sat,
  s.sun_sals_hr_expln_cn AS sun, s.rprs_telno_cn, s.bsc_telno_cn, s.indiv_telno_cn,
  s.lnkg_hmpg_url_addr, s.clct_item_cn, s.source_metadata, s.store_category, s.pickup_categories`;

export interface NearbyQuery {
  readonly latitude: number;
  readonly longitude: number;
  readonly radiusM: number;
  readonly limit: number;
  /** Empty: any. */
  readonly storeCategories: readonly string[];
  /** Empty: any; else a site taking at least one of them. */
  readonly pickupCategories: readonly string[];
}

// Entries need no long texts (introduction, metadata): the nearby answer reads only what L1 shows.
const ENTRY_COLUMNS = `
  s.positn_sn::text AS id, s.source,
  COALESCE(s.positn_nm, s.source_metadata::json->>'display1') AS positn_nm,
  s.positn_rdnm_addr, s.positn_lotno_addr,
  s.positn_pstn_lat AS latitude, s.positn_pstn_lot AS longitude, NULL AS positn_intdc_cn,
  s.mon_sals_hr_expln_cn AS mon, s.tues_sals_hr_expln_cn AS tues, s.wed_sals_hr_expln_cn AS wed,
  s.thur_sals_hr_expln_cn AS thur, s.fri_sals_hr_expln_cn AS fri, s.sat_sals_hr_expln_cn AS sat,
  s.sun_sals_hr_expln_cn AS sun, s.rprs_telno_cn, s.bsc_telno_cn, s.indiv_telno_cn,
  s.lnkg_hmpg_url_addr, NULL AS clct_item_cn, NULL AS source_metadata, s.store_category,
  s.pickup_categories`;

// nearby_sites (migration 001) picks and orders the sites; this joins their columns back on, in
// that order.
const NEARBY = `
  SELECT ${ENTRY_COLUMNS}, n.distance_m
    FROM nearby_sites($1::float8, $2::float8, $3::float8, $4::text[], $5::text[], $6::int)
         WITH ORDINALITY AS n(site_id, distance_m, ord)
    JOIN location_normalized_sites s ON s.positn_sn = n.site_id
   ORDER BY n.ord`;

export async function findNearby(pool: pg.Pool, query: NearbyQuery): Promise<NearbySiteRow[]> {
  const { rows } = await pool.query<NearbySiteRow>({
    name: "location_nearby",
    text: NEARBY,
    values: [
      query.latitude,
      query.longitude,
      query.radiusM,
      query.storeCategories.length > 0 ? query.storeCategories : null,
      query.pickupCategories.length > 0 ? query.pickupCategories : null,
      query.limit,
    ],
  });
  return rows;
}

export async function findSite(pool: pg.Pool, id: bigint): Promise<SiteRow | undefined> {
  const { rows } = await pool.query<SiteRow>({
    name: "location_by_id",
    text: `SELECT ${SITE_COLUMNS} FROM location_normalized_sites s WHERE s.positn_sn = $1`,
    values: [id.toString()],
  });
  return rows[0];
}

/** escapeLike makes user text literal inside an ILIKE pattern. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// Substring hits first (a short Korean query rarely reaches the trigram threshold), then
// trigram similarity (`%`, pg_trgm's default threshold 0.3) for near-misses and typos. Both use
// the GIN trigram index. Sites without coordinates cannot anchor a map search.
const TEXT_SEARCH = `
  SELECT ${SITE_COLUMNS},
         (s.search_text ILIKE $2) AS contains, similarity(s.search_text, $1) AS score
    FROM location_normalized_sites s
   WHERE (s.search_text ILIKE $2 OR s.search_text % $1)
     AND s.earth_point IS NOT NULL
   ORDER BY contains DESC, score DESC, s.positn_sn
   LIMIT $3`;

export async function searchText(pool: pg.Pool, text: string, limit: number): Promise<SiteRow[]> {
  const { rows } = await pool.query<SiteRow>({
    name: "location_text_search",
    text: TEXT_SEARCH,
    values: [text, `%${escapeLike(text)}%`, limit],
  });
  return rows;
}

export async function countSites(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM location_normalized_sites",
  );
  return rows[0]?.n ?? 0;
}
