import { Elysia, t } from "elysia";
import type { LocationDetail, LocationEntry } from "../../gen/eco2/location/v1/location_pb.ts";
import { ApiError } from "../api-error.ts";
import type { ServiceClients } from "../clients.ts";
import { errorBody } from "./wire.ts";

const entry = t.Object({
  id: t.Integer(),
  name: t.String(),
  source: t.String(),
  road_address: t.Nullable(t.String()),
  latitude: t.Nullable(t.Number()),
  longitude: t.Nullable(t.Number()),
  distance_km: t.Number(),
  distance_text: t.Nullable(t.String()),
  store_category: t.String(),
  pickup_categories: t.Array(t.String()),
  is_holiday: t.Nullable(t.Boolean()),
  is_open: t.Nullable(t.Boolean()),
  start_time: t.Nullable(t.String()),
  end_time: t.Nullable(t.String()),
  phone: t.Nullable(t.String()),
  place_url: t.Nullable(t.String()),
  kakao_place_id: t.Nullable(t.String()),
});

const detail = t.Object({
  id: t.Integer(),
  name: t.String(),
  source: t.String(),
  road_address: t.Nullable(t.String()),
  lot_address: t.Nullable(t.String()),
  latitude: t.Nullable(t.Number()),
  longitude: t.Nullable(t.Number()),
  store_category: t.String(),
  pickup_categories: t.Array(t.String()),
  phone: t.Nullable(t.String()),
  place_url: t.Nullable(t.String()),
  kakao_place_id: t.Nullable(t.String()),
  collection_items: t.Nullable(t.String()),
  introduction: t.Nullable(t.String()),
});

const suggestion = t.Object({
  place_name: t.String(),
  address: t.Nullable(t.String()),
  latitude: t.Number(),
  longitude: t.Number(),
  place_url: t.Nullable(t.String()),
});

const searchText = t.String({ minLength: 1, maxLength: 100 });

// Site ids are int64 in the proto but far below 2^53 (and negative for Kakao hits).
function entryJson(e: LocationEntry): typeof entry.static {
  return {
    id: Number(e.id),
    name: e.name,
    source: e.source,
    road_address: e.roadAddress ?? null,
    latitude: e.latitude ?? null,
    longitude: e.longitude ?? null,
    distance_km: e.distanceKm,
    distance_text: e.distanceText ?? null,
    store_category: e.storeCategory,
    pickup_categories: e.pickupCategories,
    is_holiday: e.isHoliday ?? null,
    is_open: e.isOpen ?? null,
    start_time: e.startTime ?? null,
    end_time: e.endTime ?? null,
    phone: e.phone ?? null,
    place_url: e.placeUrl ?? null,
    kakao_place_id: e.kakaoPlaceId ?? null,
  };
}

function detailJson(d: LocationDetail | undefined): typeof detail.static {
  if (!d) throw new Error("location service answered without a center");
  return {
    id: Number(d.id),
    name: d.name,
    source: d.source,
    road_address: d.roadAddress ?? null,
    lot_address: d.lotAddress ?? null,
    latitude: d.latitude ?? null,
    longitude: d.longitude ?? null,
    store_category: d.storeCategory,
    pickup_categories: d.pickupCategories,
    phone: d.phone ?? null,
    place_url: d.placeUrl ?? null,
    kakao_place_id: d.kakaoPlaceId ?? null,
    collection_items: d.collectionItems ?? null,
    introduction: d.introduction ?? null,
  };
}

const INT64_MAX = 9_223_372_036_854_775_807n;

/**
 * centerId reads the path's decimal id. One past int64 cannot name a site: 404 like any unknown
 * id, rather than the 500 protobuf encoding would give.
 */
function centerId(text: string): bigint {
  const id = BigInt(text);
  if (id > INT64_MAX || id < -INT64_MAX - 1n) {
    throw new ApiError(404, "LOCATION_NOT_FOUND", "location not found");
  }
  return id;
}

// "a,b" → ["a","b"]; "all" (or nothing) means no filter. Unknown names are the service's 400.
function csv(value: string | undefined): string[] {
  const items = (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  return items.includes("all") ? [] : items;
}

/** locationsRoutes find recycling points and zero-waste shops (CONTRACT L1–L4) → LocationService. */
export function locationsRoutes(clients: ServiceClients) {
  return new Elysia({
    name: "eco2/routes/locations",
    prefix: "/api/v1/locations",
    detail: { tags: ["locations"] },
  })
    .get(
      "/centers",
      async ({ query }) => {
        const answer = await clients.location.listCenters({
          latitude: query.lat,
          longitude: query.lon,
          radius: query.radius,
          zoom: query.zoom,
          storeCategories: csv(query.store_category),
          pickupCategories: csv(query.pickup_category),
        });
        return answer.entries.map(entryJson);
      },
      {
        query: t.Object({
          lat: t.Number({ minimum: -90, maximum: 90 }),
          lon: t.Number({ minimum: -180, maximum: 180 }),
          radius: t.Optional(t.Integer({ minimum: 100, maximum: 50000 })),
          // 16 − Kakao map level, as the client sends it; an explicit radius wins.
          zoom: t.Optional(t.Integer({ minimum: 1, maximum: 20 })),
          store_category: t.Optional(t.String()),
          pickup_category: t.Optional(t.String()),
        }),
        response: { 200: t.Array(entry), 400: errorBody },
        detail: {
          summary:
            "Sites around a point, a bare array (L1); 400 INVALID_STORE_CATEGORY / INVALID_PICKUP_CATEGORY",
        },
      },
    )
    .get(
      "/search",
      async ({ query }) => {
        const answer = await clients.location.searchLocations({
          query: query.q,
          radius: query.radius,
        });
        return answer.entries.map(entryJson);
      },
      {
        query: t.Object({
          q: searchText,
          radius: t.Integer({ minimum: 100, maximum: 20000, default: 5000 }),
        }),
        response: { 200: t.Array(entry), 503: errorBody },
        detail: { summary: "Sites and Kakao places around a searched place (L2)" },
      },
    )
    .get(
      "/suggest",
      async ({ query }) => {
        const answer = await clients.location.suggestPlaces({ query: query.q });
        return answer.suggestions.map((s) => ({
          place_name: s.placeName,
          address: s.address ?? null,
          latitude: s.latitude,
          longitude: s.longitude,
          place_url: s.placeUrl ?? null,
        }));
      },
      {
        query: t.Object({ q: searchText }),
        response: { 200: t.Array(suggestion), 503: errorBody },
        detail: { summary: "Place-name suggestions for the search box (L3)" },
      },
    )
    .get(
      "/centers/:center_id",
      async ({ params }) => {
        const answer = await clients.location.getCenter({ id: centerId(params.center_id) });
        return detailJson(answer.center);
      },
      {
        // Decimal digits only: a number schema would also take "0x10", "1e3" or " 7".
        params: t.Object({ center_id: t.String({ pattern: "^-?[0-9]{1,20}$" }) }),
        response: { 200: detail, 404: errorBody },
        detail: { summary: "One site in detail (L4); 404 LOCATION_NOT_FOUND" },
      },
    );
}
