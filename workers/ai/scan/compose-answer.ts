// The embedded answer stage: disposal steps, what is missing, and a short answer in 이코's voice,
// composed from the matched rule document and the situation tags (no language model needed).
import type { JsonObject } from "@bufbuild/protobuf";
import type { VisionResult } from "../vision/index.ts";
import { insufficienciesOf } from "./insufficiencies.ts";

export interface FinalAnswer {
  disposal_steps: Record<string, string>;
  insufficiencies: string[];
  user_answer: string;
}

const RETAKE =
  "사진에서 분리배출할 물건을 찾지 못했어요. 물건이 화면 가운데에 크게 보이도록 다시 찍어 줄래요?";

const texts = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];

/** The steps of the document: the common ones, then those for the recognised item. */
function stepsOf(rules: JsonObject, minor: string): string[] {
  const detailed = (rules.배출방법_세부 ?? {}) as Record<string, unknown>;
  return [...texts(rules.배출방법_공통), ...texts(detailed[minor])];
}

function numbered(steps: readonly string[]): Record<string, string> {
  return Object.fromEntries(steps.map((step, i) => [`단계${i + 1}`, step]));
}

export function composeAnswer(vision: VisionResult, rules: JsonObject | null): FinalAnswer {
  if (vision.unclassified) {
    return { disposal_steps: {}, insufficiencies: [], user_answer: vision.advice || RETAKE };
  }
  const { classification } = vision;
  const insufficiencies = insufficienciesOf(vision.situationTags);
  const steps = rules ? stepsOf(rules, classification.minor) : [];
  const name = classification.minor || classification.middle || classification.major;
  const summary = typeof rules?.요약 === "string" ? rules.요약 : "";
  const userAnswer = rules
    ? `${name}(이)네요! ${summary}${insufficiencies.length > 0 ? ` 그전에 ${insufficiencies[0]}` : " 이대로 잘 버리면 돼요."}`
    : `${name}(으)로 보여요. 이 품목의 배출 규칙을 찾지 못했어요. 사는 곳 지자체 안내를 확인해 주세요.`;
  return { disposal_steps: numbered(steps), insufficiencies, user_answer: userAnswer };
}
