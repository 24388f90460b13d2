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
import { type KakaoClient, type KakaoPlace, KakaoUnavailableError } from "./kakao.ts";
import { findNearby, findSite, type NearbySiteRow, type SiteRow, searchText } from "./store.ts";

export interface LocationHandlerDeps {
  readonly pool: pg.Pool;
  /** Set when a Kakao key is configured: /search, /suggest and the detail match use Kakao. */
  readonly kakao?: KakaoClient;
  /** Told when Kakao fails and our own sites answer instead. */
  readonly onKakaoError?: (err: KakaoUnavailableError) => void;
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
const KAKAO_ANCHOR_RESULTS = 10;
// Kakao Local returns at most 15 documents a page.
const KAKAO_AROUND_RESULTS = 15;
// A Kakao place this close to one of our sites is that site (§3.4).
const SAME_PLACE_M = 50;
// earthdistance's sphere radius, so Kakao rows and our rows measure distance alike.
const EARTH_RADIUS_M = 6378168;

/** greatCircleMetres between two points on earthdistance's sphere (haversine). */
export function greatCircleMetres(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

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

/** kakaoEntry: a Kakao place in the list, with a negative id (it has no detail of ours). */
function kakaoEntry(place: KakaoPlace, id: number, distanceM: number): LocationEntry {
  return create(LocationEntrySchema, {
    id: BigInt(id),
    name: place.name,
    source: "kakao",
    roadAddress: place.roadAddress ?? place.address ?? undefined,
    latitude: place.latitude,
    longitude: place.longitude,
    distanceKm: Math.round(distanceM) / 1000,
    distanceText: distanceText(distanceM),
    storeCategory: "general",
    pickupCategories: [],
    phone: place.phone ?? undefined,
    placeUrl: place.placeUrl ?? undefined,
    kakaoPlaceId: place.id,
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
 * locationHandlers implements LocationService. With a Kakao client, /search and /suggest ask Kakao
 * and merge our sites as §3.4 says; without one, or when Kakao fails, they use trigram text match on
 * our own sites' names and addresses (CONTRACT §A.12).
 */
export function locationHandlers(
  deps: LocationHandlerDeps,
): Partial<ServiceImpl<typeof LocationService>> {
  const { pool, kakao } = deps;
  const now = deps.now ?? (() => new Date());

  /** withKakao runs the Kakao path, or our own when there is no key or Kakao fails. */
  async function withKakao<T>(viaKakao: (k: KakaoClient) => Promise<T>, own: () => Promise<T>) {
    if (!kakao) return own();
    try {
      return await viaKakao(kakao);
    } catch (err) {
      if (!(err instanceof KakaoUnavailableError)) throw err;
      deps.onKakaoError?.(err);
      return own();
    }
  }

  /** sitesAround: our sites within radius of a point, as entries measured from it. */
  async function sitesAround(point: { latitude: number; longitude: number }, radiusM: number) {
    return findNearby(pool, {
      ...point,
      radiusM,
      limit: SEARCH_LIMIT,
      storeCategories: [],
      pickupCategories: [],
    });
  }

  async function ownSearch(text: string, radius: number): Promise<LocationEntry[]> {
    // The best text hit stands where Kakao's first hit would: the anchor of the map search.
    const [anchor] = await searchText(pool, text, 1);
    if (!anchor || anchor.latitude === null || anchor.longitude === null) return [];
    const rows = await sitesAround(
      { latitude: anchor.latitude, longitude: anchor.longitude },
      radius,
    );
    const clock = seoulClock(now());
    return rows.map((row) => toEntry(row, row.distance_m, clock));
  }

  async function kakaoSearch(k: KakaoClient, text: string, radius: number) {
    const [anchor] = await k.keyword({ query: text, size: KAKAO_ANCHOR_RESULTS, sort: "accuracy" });
    if (!anchor) return [];
    const [places, rows] = await Promise.all([
      k.keyword({
        query: text,
        size: KAKAO_AROUND_RESULTS,
        sort: "distance",
        around: { latitude: anchor.latitude, longitude: anchor.longitude, radiusM: radius },
      }),
      sitesAround(anchor, radius),
    ]);
    const clock = seoulClock(now());
    const ours = rows.map((row) => ({
      metres: row.distance_m,
      entry: toEntry(row, row.distance_m, clock),
    }));
    const theirs = places
      .filter(
        (place) =>
          !rows.some(
            (row) =>
              row.latitude !== null &&
              row.longitude !== null &&
              greatCircleMetres(place, { latitude: row.latitude, longitude: row.longitude }) <=
                SAME_PLACE_M,
          ),
      )
      .map((place, i) => {
        const metres = greatCircleMetres(anchor, place);
        return { metres, entry: kakaoEntry(place, -(i + 1), metres) };
      })
      .filter((item) => item.metres <= radius);
    return [...ours, ...theirs].sort((a, b) => a.metres - b.metres).map((item) => item.entry);
  }

  /** kakaoMatch: the Kakao place of one of our sites, best effort (none on any failure). */
  async function kakaoMatch(row: SiteRow): Promise<KakaoPlace | undefined> {
    if (!kakao || row.latitude === null || row.longitude === null) return undefined;
    const site = { latitude: row.latitude, longitude: row.longitude };
    try {
      const places = await kakao.keyword({
        query: siteName(row.positn_nm, row.source_metadata),
        size: 5,
        sort: "distance",
        around: { ...site, radiusM: 100 },
      });
      return places.find((place) => greatCircleMetres(site, place) <= SAME_PLACE_M);
    } catch (err) {
      if (err instanceof KakaoUnavailableError) deps.onKakaoError?.(err);
      return undefined;
    }
  }

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
      const entries = await withKakao(
        (k) => kakaoSearch(k, text, radius),
        () => ownSearch(text, radius),
      );
      return { entries };
    },

    async suggestPlaces(req) {
      const text = checkQuery(req.query);
      const suggestions = await withKakao(
        async (k) =>
          (await k.keyword({ query: text, size: SUGGEST_LIMIT, sort: "accuracy" })).map((place) =>
            create(PlaceSuggestionSchema, {
              placeName: place.name,
              address: place.roadAddress ?? place.address ?? undefined,
              latitude: place.latitude,
              longitude: place.longitude,
              placeUrl: place.placeUrl ?? undefined,
            }),
          ),
        async () =>
          (await searchText(pool, text, SUGGEST_LIMIT)).map((row) =>
            create(PlaceSuggestionSchema, {
              placeName: siteName(row.positn_nm, row.source_metadata),
              address: row.positn_rdnm_addr ?? row.positn_lotno_addr ?? undefined,
              latitude: row.latitude ?? 0,
              longitude: row.longitude ?? 0,
              placeUrl: row.lnkg_hmpg_url_addr ?? undefined,
            }),
          ),
      );
      return { suggestions };
    },

    async getCenter(req) {
      const row = req.id > 0n ? await findSite(pool, req.id) : undefined;
      if (!row) throw domainError(Code.NotFound, "LOCATION_NOT_FOUND", "location not found");
      const center = toDetail(row);
      const match = await kakaoMatch(row);
      if (match) {
        center.kakaoPlaceId = match.id;
        center.placeUrl = match.placeUrl ?? center.placeUrl;
      }
      return { center };
    },
  };
}
