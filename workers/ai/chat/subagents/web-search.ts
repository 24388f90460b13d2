import type { WebAnswer, WebSearchPort } from "../ports.ts";
import type { Finding, SubAgent } from "./types.ts";

const SOURCES_SHOWN = 3;
/** Long search answers are cut: the composer needs the gist and the sources, not a report. */
const MAX_TEXT = 1200;

const CANNOT =
  "지금은 검색을 할 수 없어요. 검색 제공자가 답하지 않았어요. 잠시 후 다시 물어봐 주세요. 분리배출 규정이나 시세처럼 제가 가진 정보라면 바로 알려 드릴게요.";

function facts(answer: WebAnswer): string[] {
  const text =
    answer.text.length > MAX_TEXT ? `${answer.text.slice(0, MAX_TEXT).trimEnd()}…` : answer.text;
  const cited = answer.citations.slice(0, SOURCES_SHOWN);
  if (cited.length === 0)
    return [`웹에서 찾아봤어요. ${text}`, "출처: 검색 결과에 출처 표시가 없었어요."];
  return [
    `웹에서 찾아봤어요. ${text}`,
    "출처:",
    ...cited.map((c, i) => `${i + 1}. ${c.title} — ${c.url}`),
  ];
}

/**
 * webSearchAgent asks the provider's hosted web search and answers with the sources it cites.
 * A provider that fails or has no web search gives a clear "cannot search now" answer.
 */
export function webSearchAgent(search: WebSearchPort): SubAgent {
  return async (turn): Promise<Finding> => {
    let answer: WebAnswer;
    try {
      answer = await search.search(turn.message.slice(0, 500));
    } catch (err) {
      return {
        intent: "web_search",
        found: false,
        facts: [CANNOT],
        result: { available: true, error: (err as Error).message },
      };
    }
    return {
      intent: "web_search",
      found: true,
      facts: facts(answer),
      result: { citations: answer.citations.slice(0, SOURCES_SHOWN).map((c) => ({ ...c })) },
      sources: answer.citations.slice(0, SOURCES_SHOWN).map((c) => c.url),
    };
  };
}
