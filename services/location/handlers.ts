import { create } from "@bufbuild/protobuf";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import type pg from "pg";
import {
  type LocationDetail,
  LocationDetailSchema,
  type LocationEntry,
  LocationEntrySchema,
  type LocationService,
  PlaceSuggestionSchema,
} from "../../gen/eco2/location/v1/location_pb.ts";
import { domainError } from "../../lib/rpc/index.ts";
import { PICKUP_CATEGORIES, STORE_CATEGORIES } from "./categories.ts";
import { openingState, type SeoulClock, seoulClock } from "./hours.ts";
import { metadataField, siteName } from "./import-sites.ts";
import { findNearby, findSite, type NearbySiteRow, type SiteRow, searchText } from "./store.ts";

export interface LocationHandlerDeps {
  readonly pool: pg.Pool;
  /** The clock opening hours are evaluated at; tests fix it. */
  readonly now?: () => Date;
}

// Radius (m) per zoom on the 1 (world) … 20 (street) scale (CONTRACT §3.4). The client's zoom
// (16 − Kakao level, larger = closer) is already on that scale, so it is used as sent: the
// original inverted it a second time (§7.15).
const ZOOM_RADIUS_M: Readonly<Record<number, number>> = {
  1: 80000,
  2: 60000,
  3: 45000,
  4: 30000,
  5: 20000,
  6: 15000,
  7: 10000,
  8: 8000,
  9: 6000,
  10: 4500,
  11: 3000,
  12: 2000,
  13: 1200,
  14: 800,
  15: 500,
  16: 300,
  17: 200,
  18: 150,
  19: 120,
  20: 100,
};
const DEFAULT_RADIUS_M = 5000;
const DEFAULT_LIMIT = 200;
const SEARCH_RADIUS_DEFAULT_M = 5000;
const SEARCH_LIMIT = 50;
const SUGGEST_LIMIT = 5;

/** resultLimit by zoom (§3.4): closer views show more sites. */
export function resultLimit(zoom: number | undefined): number {
  if (zoom === undefined) return DEFAULT_LIMIT;
  if (zoom >= 13) return 200;
  if (zoom >= 10) return 160;
  if (zoom >= 7) return 120;
  if (zoom >= 4) return 80;
  return 50;
}

/** searchRadius: an explicit radius always wins, then the zoom's, then 5 km. */
export function searchRadius(radius: number | undefined, zoom: number | undefined): number {
  if (radius !== undefined) return radius;
  if (zoom !== undefined) return ZOOM_RADIUS_M[zoom] ?? DEFAULT_RADIUS_M;
  return DEFAULT_RADIUS_M;
}

export function distanceText(metres: number): string {
  if (metres < 1000) return `${Math.round(metres)}m`;
  return `${(metres / 1000).toFixed(1)}km`;
}

function invalid(message: string, domainCode = "INVALID_ARGUMENT") {
  return domainError(Code.InvalidArgument, domainCode, message);
}

function checkPoint(latitude: number, longitude: number): void {
  if (!(latitude >= -90 && latitude <= 90)) throw invalid("latitude must be within −90..90");
  if (!(longitude >= -180 && longitude <= 180)) throw invalid("longitude must be within −180..180");
}

function checkCategories(
  values: readonly string[],
  known: readonly string[],
  domainCode: string,
): string[] {
  const wanted = values.map((v) => v.trim()).filter((v) => v !== "" && v !== "all");
  if (values.some((v) => v.trim() === "all")) return [];
  const unknown = wanted.filter((v) => !known.includes(v));
  if (unknown.length > 0) throw invalid(`unknown category: ${unknown.join(", ")}`, domainCode);
  return wanted;
}

function phone(row: SiteRow): string | null {
  return row.rprs_telno_cn ?? row.bsc_telno_cn ?? row.indiv_telno_cn ?? null;
}

function toEntry(row: SiteRow, distanceM: number, clock: SeoulClock): LocationEntry {
  const hours = openingState(row.source, row, clock);
  return create(LocationEntrySchema, {
    id: BigInt(row.id),
    name: siteName(row.positn_nm, row.source_metadata),
    source: row.source,
    roadAddress: row.positn_rdnm_addr ?? row.positn_lotno_addr ?? undefined,
    latitude: row.latitude ?? undefined,
    longitude: row.longitude ?? undefined,
    // Whole metres: the client shows "123m" / "1.2km"; finer digits are noise.
    distanceKm: Math.round(distanceM) / 1000,
    distanceText: distanceText(distanceM),
    storeCategory: row.store_category,
    pickupCategories: row.pickup_categories,
    isHoliday: hours.isHoliday ?? undefined,
    isOpen: hours.isOpen ?? undefined,
    startTime: hours.startTime ?? undefined,
    endTime: hours.endTime ?? undefined,
    phone: phone(row) ?? undefined,
    placeUrl: row.lnkg_hmpg_url_addr ?? undefined,
  });
}

function toDetail(row: SiteRow): LocationDetail {
  return create(LocationDetailSchema, {
    id: BigInt(row.id),
    name: siteName(row.positn_nm, row.source_metadata),
    source: row.source,
    roadAddress: row.positn_rdnm_addr ?? undefined,
    lotAddress: row.positn_lotno_addr ?? undefined,
    latitude: row.latitude ?? undefined,
    longitude: row.longitude ?? undefined,
    storeCategory: row.store_category,
    pickupCategories: row.pickup_categories,
    phone: phone(row) ?? undefined,
    placeUrl: row.lnkg_hmpg_url_addr ?? undefined,
    collectionItems: row.clct_item_cn ?? undefined,
    introduction: row.positn_intdc_cn ?? metadataField(row.source_metadata, "memo") ?? undefined,
  });
}

function checkQuery(query: string): string {
  const text = query.trim();
  if (text.length < 1 || text.length > 100) throw invalid("query must be 1..100 characters");
  return text;
}

/**
 * locationHandlers implements LocationService on our own sites. Without a Kakao key (the only mode
 * built so far) /search and /suggest use trigram text match on name and address (CONTRACT §A.12).
 */
export function locationHandlers(
  deps: LocationHandlerDeps,
): Partial<ServiceImpl<typeof LocationService>> {
  const { pool } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    async listCenters(req) {
      checkPoint(req.latitude, req.longitude);
      if (req.radius !== undefined && (req.radius < 100 || req.radius > 50000)) {
        throw invalid("radius must be within 100..50000 m");
      }
      if (req.zoom !== undefined && (req.zoom < 1 || req.zoom > 20)) {
        throw invalid("zoom must be within 1..20");
      }
      const rows = await findNearby(pool, {
        latitude: req.latitude,
        longitude: req.longitude,
        radiusM: searchRadius(req.radius, req.zoom),
        limit: resultLimit(req.zoom),
        storeCategories: checkCategories(
          req.storeCategories,
          STORE_CATEGORIES,
          "INVALID_STORE_CATEGORY",
        ),
        pickupCategories: checkCategories(
          req.pickupCategories,
          PICKUP_CATEGORIES,
          "INVALID_PICKUP_CATEGORY",
        ),
      });
      const clock = seoulClock(now());
      return { entries: rows.map((row: NearbySiteRow) => toEntry(row, row.distance_m, clock)) };
    },

    async searchLocations(req) {
      const text = checkQuery(req.query);
      const radius = req.radius === 0 ? SEARCH_RADIUS_DEFAULT_M : req.radius;
      if (radius < 100 || radius > 20000) throw invalid("radius must be within 100..20000 m");
      // The best text hit stands where Kakao's first hit would: the anchor of the map search.
      const [anchor] = await searchText(pool, text, 1);
      if (!anchor || anchor.latitude === null || anchor.longitude === null) return { entries: [] };
      const rows = await findNearby(pool, {
        latitude: anchor.latitude,
        longitude: anchor.longitude,
        radiusM: radius,
        limit: SEARCH_LIMIT,
        storeCategories: [],
        pickupCategories: [],
      });
      const clock = seoulClock(now());
      return { entries: rows.map((row) => toEntry(row, row.distance_m, clock)) };
    },

    async suggestPlaces(req) {
      const rows = await searchText(pool, checkQuery(req.query), SUGGEST_LIMIT);
      return {
        suggestions: rows.map((row) =>
          create(PlaceSuggestionSchema, {
            placeName: siteName(row.positn_nm, row.source_metadata),
            address: row.positn_rdnm_addr ?? row.positn_lotno_addr ?? undefined,
            latitude: row.latitude ?? 0,
            longitude: row.longitude ?? 0,
            placeUrl: row.lnkg_hmpg_url_addr ?? undefined,
          }),
        ),
      };
    },

    async getCenter(req) {
      const row = req.id > 0n ? await findSite(pool, req.id) : undefined;
      if (!row) throw domainError(Code.NotFound, "LOCATION_NOT_FOUND", "location not found");
      return { center: toDetail(row) };
    },
  };
}
