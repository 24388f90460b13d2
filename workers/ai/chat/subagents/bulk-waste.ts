import type { GuidesPort, PlacesPort } from "../ports.ts";
import type { Finding, SubAgent } from "./types.ts";

const BULK_KEY = "대형폐기물";
// Road addresses as the site data writes them: "서울 중구 명동길 73" → 서울 중구, "고양시 덕양구 …" →
// 고양시 덕양구, "서울특별시 마포구 …" → 서울특별시 마포구.
const DISTRICT = /^(\S+)\s+(\S+(?:구|군|시))(?=\s)/;

/** district names the 시·군·구 of the address nearest the user, from the location service's sites. */
async function district(places: PlacesPort, point: { latitude: number; longitude: number }) {
  const nearest = (await places.near(point, 5000)).find(
    (p) => p.address && DISTRICT.test(p.address),
  );
  const match = nearest?.address?.match(DISTRICT);
  return match ? `${match[1]} ${match[2]}` : undefined;
}

/**
 * bulkWasteAgent gives the 대형폐기물 procedure (report, fee, sticker, set out) from the rule
 * document, and, when the user's location is known, the district whose office takes the report.
 * It does not ask for a location: the procedure is the answer, the district a bonus.
 */
export function bulkWasteAgent(
  guides: GuidesPort,
  places: PlacesPort,
  hasLocation: () => boolean,
): SubAgent {
  return async (turn): Promise<Finding> => {
    const doc = await guides.get(BULK_KEY);
    if (!doc) throw new Error("the 대형폐기물 rule document is missing");
    const facts = [
      doc.summary,
      ...doc.steps.map((step, i) => `${i + 1}. ${step}`),
      ...doc.descriptions.filter((d) => d.includes("무상")),
    ];
    const point = hasLocation() ? await turn.location() : undefined;
    const where = point ? await district(places, point) : undefined;
    facts.push(
      where
        ? `지금 계신 곳은 ${where}로 보여요. ${where.split(" ")[1]} 누리집이나 주민센터에서 신고하면 수수료와 배출 요일을 바로 알 수 있어요.`
        : "사는 곳의 구청(시·군청) 누리집이나 주민센터에서 신고해요. 위치를 알려 주면 어느 구청인지 찾아 드릴게요.",
    );
    return {
      intent: "bulk_waste",
      found: true,
      facts,
      result: { guide_key: doc.key, district: where ?? null },
      sources: doc.sources,
    };
  };
}
