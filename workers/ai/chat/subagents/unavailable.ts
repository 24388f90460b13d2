import type { Intent } from "../intent/intents.ts";
import type { Finding, SubAgent } from "./types.ts";

const WHAT: Partial<Record<Intent, string>> = {
  weather:
    "날씨 정보는 지금 연결된 날씨 제공자가 없어서 알려 드릴 수 없어요. 기상청 날씨누리(weather.go.kr)에서 확인해 주세요.",
  web_search:
    "웹 검색은 지금 연결된 검색 제공자가 없어서 할 수 없어요. 분리배출 규정이나 시세처럼 제가 가진 정보라면 바로 알려 드릴게요.",
  image_generation:
    "그림 만들기는 아직 제가 할 수 없는 일이에요. 대신 분리배출 방법은 글로 자세히 알려 드릴 수 있어요!",
};

/** unavailableAgent: a clear "not available" answer for a capability without a provider. */
export function unavailableAgent(intent: "weather" | "web_search" | "image_generation"): SubAgent {
  return async (): Promise<Finding> => ({
    intent,
    found: false,
    facts: [WHAT[intent]!],
    result: { available: false },
  });
}
