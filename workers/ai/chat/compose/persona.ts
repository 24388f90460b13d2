// 이코's voice: the mascot of 이코에코, a friendly recycling helper who speaks polite, warm Korean
// (해요체), short sentences, and ends with one encouraging line.
import type { Intent } from "../intent/intents.ts";
import type { Finding } from "../subagents/types.ts";

export const PERSONA = [
  "너는 이코에코 앱의 마스코트 '이코'야. 분리배출을 도와주는 다정하고 밝은 친구처럼 해요체로 짧고 분명하게 말해.",
  "아래 '찾은 정보'에 있는 사실만 써서 답해. 규정 이름, 장소 이름과 거리, 캐릭터 이름, 가격과 출처는 빠뜨리지 말고 그대로 전해.",
  "찾은 정보가 없거나 '알려 드릴 수 없어요'라고 되어 있으면 지어내지 말고 그렇다고 말해.",
  "마지막에 한 줄로 응원이나 다음에 물어볼 만한 것을 덧붙여.",
].join("\n");

const OPENING: Partial<Record<Intent, string>> = {
  waste: "이코가 분리배출 방법을 알려 드릴게요!",
  bulk_waste: "큰 물건은 이렇게 버리면 돼요!",
  character: "캐릭터 이야기라면 제가 제일 잘 알아요!",
  collection_point: "가까운 곳을 찾아봤어요!",
  location: "주변을 찾아봤어요!",
  recyclable_price: "재활용품 시세를 알려 드릴게요!",
};

const CLOSING: Partial<Record<Intent, string>> = {
  waste: "깨끗하게 비우고 헹궈서 버리면 재활용이 훨씬 잘 돼요. 오늘도 함께해 줘서 고마워요!",
  bulk_waste: "신고하고 스티커까지 붙이면 끝! 궁금한 게 더 있으면 물어봐 주세요.",
  character: "분리배출하고 친구들을 모두 모아 봐요!",
  collection_point: "모아 둔 재활용품 들고 가볍게 다녀와요!",
  location: "장바구니랑 텀블러 챙겨서 들러 보세요!",
  recyclable_price: "깨끗하게 모을수록 제값을 받아요!",
};

/** factsBlock is the findings as the prompt's '찾은 정보' section. */
export function factsBlock(findings: readonly Finding[]): string {
  return findings.map((f) => `[${f.intent}]\n${f.facts.join("\n")}`).join("\n\n");
}

/** embeddedAnswer writes the answer from the findings alone, in 이코's voice. */
export function embeddedAnswer(intents: readonly Intent[], findings: readonly Finding[]): string {
  const lead = intents[0] ?? "general";
  const parts: string[] = [];
  const opening = OPENING[lead];
  if (opening && findings.some((f) => f.found)) parts.push(opening);
  for (const finding of findings) parts.push(finding.facts.join("\n"));
  const closing = CLOSING[lead];
  if (closing && findings.some((f) => f.found)) parts.push(closing);
  return parts.join("\n\n");
}
