// The chat job's stages as CONTRACT §2.3 numbers them: seq = STAGE_ORDER*10 (+1 when completed),
// tokens from 1001, and the Korean line the client shows while a stage runs.
import type { Intent } from "./intent/intents.ts";

export const STAGE_ORDER = {
  queued: 0,
  intent: 1,
  vision: 2,
  waste_rag: 3,
  character: 4,
  location: 5,
  kakao_place: 6,
  bulk_waste: 7,
  weather: 8,
  recyclable_price: 9,
  collection_point: 10,
  web_search: 11,
  image_generation: 12,
  general: 13,
  aggregator: 14,
  feedback: 15,
  answer: 16,
  eval: 17,
  done: 18,
  needs_input: 19,
} as const;

export type Stage = keyof typeof STAGE_ORDER;
export type StageStatus = "started" | "completed" | "failed" | "waiting";

export const FIRST_TOKEN_SEQ = 1001;

export function stageSeq(stage: Stage, status: StageStatus): number {
  return STAGE_ORDER[stage] * 10 + (status === "completed" ? 1 : 0);
}

/** The stage each intent's sub-agent reports under. */
export const INTENT_STAGE: Record<Intent, Stage> = {
  waste: "waste_rag",
  character: "character",
  location: "location",
  collection_point: "collection_point",
  bulk_waste: "bulk_waste",
  recyclable_price: "recyclable_price",
  weather: "weather",
  web_search: "web_search",
  image_generation: "image_generation",
  general: "general",
};

const STARTED: Partial<Record<Stage, string>> = {
  intent: "의도를 분석하고 있습니다...",
  vision: "이미지를 살펴보고 있습니다...",
  waste_rag: "분리배출 규정을 찾고 있습니다...",
  character: "캐릭터 정보를 확인하고 있습니다...",
  location: "주변 장소를 찾고 있습니다...",
  collection_point: "가까운 수거함을 찾고 있습니다...",
  bulk_waste: "대형폐기물 배출 방법을 확인하고 있습니다...",
  recyclable_price: "재활용품 시세를 확인하고 있습니다...",
  weather: "날씨 정보를 확인하고 있습니다...",
  web_search: "웹에서 정보를 찾고 있습니다...",
  image_generation: "이미지 생성을 확인하고 있습니다...",
  general: "답변을 준비하고 있습니다...",
  aggregator: "찾은 정보를 정리하고 있습니다...",
  answer: "답변을 작성하고 있습니다...",
  eval: "답변을 점검하고 있습니다...",
};

/** stageMessage is the UI text of a stage event. */
export function stageMessage(stage: Stage, status: StageStatus): string {
  if (stage === "done")
    return status === "failed" ? "답변을 만들지 못했습니다." : "완료되었습니다.";
  if (stage === "needs_input") return "위치 정보가 필요합니다.";
  if (status === "failed") return "이 단계에서 문제가 생겼습니다.";
  const started = STARTED[stage] ?? "처리하고 있습니다...";
  return status === "completed" ? started.replace(/고 있습니다\.\.\.$/, "었습니다.") : started;
}

/** Progress of the sub-agent phase (20 → 55) after `done` of `total` sub-agents finished. */
export function subAgentProgress(done: number, total: number): number {
  return Math.round(20 + (done / Math.max(1, total)) * 35);
}
