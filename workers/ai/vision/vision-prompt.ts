import { UNCLASSIFIED, UNCLASSIFIED_ALL_TAG, UNCLASSIFIED_MINOR_TAG } from "./vision-port.ts";
import type { WasteTaxonomy } from "./waste-taxonomy.ts";

/** The question sent with a photo when the user typed nothing (CONTRACT §2.2, S1). */
export const DEFAULT_QUESTION = "이 폐기물을 어떻게 분리배출해야 하나요?";

/**
 * visionSystemPrompt states the rules of CONTRACT §3.2 and lists the whole taxonomy and every
 * situation tag, so the model can only answer with names we accept; the answer is still checked.
 */
export function visionSystemPrompt(taxonomy: WasteTaxonomy): string {
  return [
    "당신은 한국의 분리배출 분류기입니다. 사진 속 버릴 물건 하나를 아래 분류 체계로 분류하고 JSON으로만 답합니다.",
    "규칙:",
    `- major_category는 아래 대분류 이름 중 하나 또는 "${UNCLASSIFIED}"입니다.`,
    "- middle_category는 그 대분류의 중분류 이름이고, 중분류가 없는 대분류는 대분류 이름을 그대로 씁니다.",
    `- "${UNCLASSIFIED}"이면 middle_category도 "${UNCLASSIFIED}"이고 situation_tags에 "${UNCLASSIFIED_ALL_TAG}"를 넣습니다.`,
    "- minor_category는 품목 이름(목록에 있으면 그 이름)이고 모르면 null입니다.",
    `- 확신이 없거나 물건이 여럿이면 "${UNCLASSIFIED_MINOR_TAG}"를 넣습니다.`,
    "- situation_tags는 아래 상황 태그 목록에 있는 것만 씁니다.",
    "- confidence는 분류에 대한 확신(0~1)입니다.",
    "- 사용자가 적은 말이 사진과 다르면 사용자의 말을 우선합니다.",
    "",
    "분류 체계 (대분류 > 중분류: 품목):",
    ...taxonomyLines(taxonomy),
    "",
    `상황 태그: ${[...taxonomy.tags].join(", ")}`,
  ].join("\n");
}

function taxonomyLines(taxonomy: WasteTaxonomy): string[] {
  const lines: string[] = [];
  for (const [major, middles] of taxonomy.majors) {
    for (const [middle, items] of middles) {
      const path = taxonomy.layered.has(major) ? `${major} > ${middle}` : major;
      lines.push(`- ${path}: ${[...items].join(", ")}`);
    }
  }
  return lines;
}
