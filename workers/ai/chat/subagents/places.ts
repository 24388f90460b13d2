import type { Intent } from "../intent/intents.ts";
import type { Place, PlacesPort } from "../ports.ts";
import type { Finding, SubAgent } from "./types.ts";

const RADII_M = [3000, 10000];
const SHOWN = 3;

/** Public drop-off points come from the KECO data; the rest are zero-waste shops and the like. */
const wanted: Record<"location" | "collection_point", (place: Place) => boolean> = {
  collection_point: (place) => place.source === "keco",
  location: (place) => place.source !== "keco",
};

const WHAT = {
  collection_point: "재활용품 수거 장소",
  location: "제로웨이스트·친환경 가게",
} as const;

function line(place: Place, index: number): string {
  const distance = place.distanceText ?? `${place.distanceKm.toFixed(1)}km`;
  const address = place.address ? ` (${place.address})` : "";
  return `${index + 1}. ${place.name} — ${distance}${address}`;
}

/**
 * placesAgent finds the nearest places of one kind around the user's location, widening the
 * radius once when none is close. Without a location it says so; the user was already asked.
 */
export function placesAgent(places: PlacesPort, intent: "location" | "collection_point"): SubAgent {
  return async (turn): Promise<Finding> => {
    const point = await turn.location();
    if (!point) {
      return {
        intent,
        found: false,
        facts: [
          `가까운 ${WHAT[intent]}를 찾으려면 위치가 필요해요. 위치 공유를 켜고 다시 물어봐 주세요.`,
        ],
        result: { needs_location: true },
      };
    }
    for (const radius of RADII_M) {
      const nearest = (await places.near(point, radius)).filter(wanted[intent]).slice(0, SHOWN);
      if (nearest.length === 0) continue;
      return {
        intent,
        found: true,
        facts: [`가까운 ${WHAT[intent]}예요.`, ...nearest.map(line)],
        result: {
          places: nearest.map((p) => ({
            name: p.name,
            distance_km: p.distanceKm,
            address: p.address ?? null,
          })),
        },
        sources: ["한국환경공단 자원순환가게 데이터", "제로웨이스트 지도"],
      };
    }
    return {
      intent,
      found: false,
      facts: [`반경 ${RADII_M.at(-1)! / 1000}km 안에서 ${WHAT[intent]}를 찾지 못했어요.`],
      result: { places: [] },
    };
  };
}

export const PLACE_INTENTS: ReadonlySet<Intent> = new Set([
  "location",
  "collection_point",
  "bulk_waste",
]);
