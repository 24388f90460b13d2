import { afterAll, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import { webSearchAgent } from "../subagents/web-search.ts";
import {
  ANSWER,
  CITED,
  type ResponsesStandIn,
  startResponsesStandIn,
} from "../test/responses-stand-in.ts";
import { answerOf, createOpenAiWebSearch } from "./openai-web-search.ts";

let standIn: ResponsesStandIn;
beforeAll(async () => {
  standIn = await startResponsesStandIn();
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.mode = "ok";
});

const client = (timeoutMs = 2000) =>
  createOpenAiWebSearch({
    baseUrl: standIn.baseUrl,
    apiKey: "sk-test",
    model: "gpt-test",
    timeoutMs,
  });
const turn = (message: string) => ({
  message,
  intents: ["web_search" as const],
  history: [],
  location: async () => undefined,
});

describe("web search through the Responses API", () => {
  it("posts the question with the web_search tool and reads the text and its cited pages", async () => {
    const answer = await client().search("일회용컵 규제 최신 소식");
    const sent = standIn.requests.at(-1)!;
    expect(sent.auth).toBe("Bearer sk-test");
    expect(sent.body).toMatchObject({
      model: "gpt-test",
      input: "일회용컵 규제 최신 소식",
      tools: [{ type: "web_search" }],
    });
    // The two annotations cite one page: it is named once.
    expect(answer).toEqual({ text: ANSWER, citations: [CITED] });
  });

  it("prefers output_text when the answer carries it, and refuses an empty or failed answer", () => {
    expect(answerOf({ output_text: " 요약 ", output: [] }).text).toBe("요약");
    expect(() => answerOf({ status: "incomplete", output: [] })).toThrow(/empty/);
    expect(() => answerOf({ error: { message: "rate limited" } })).toThrow(/rate limited/);
  });

  it("the sub-agent answers with the cited source named", async () => {
    const found = await webSearchAgent(client())(turn("일회용컵 규제 최신 소식 찾아줘"));
    expect(found.found).toBe(true);
    const text = found.facts.join("\n");
    expect(text).toContain(ANSWER);
    expect(text).toContain(`1. ${CITED.title} — ${CITED.url}`);
    expect(found.sources).toEqual([CITED.url]);
  });

  for (const [mode, why] of [
    ["unsupported", "HTTP 400"],
    ["missing", "HTTP 404"],
    ["fail", "HTTP 500"],
  ] as const) {
    it(`a provider answering ${why} (${mode}) gives a clear "cannot search now" answer`, async () => {
      standIn.mode = mode;
      const found = await webSearchAgent(client())(turn("플라스틱 협약 결과 검색해줘"));
      expect(found.found).toBe(false);
      expect(found.facts[0]).toContain("지금은 검색을 할 수 없어요");
      expect(String(found.result.error)).toContain(why);
    });
  }

  it("a provider too slow to answer gives the same clear answer", async () => {
    standIn.mode = "slow";
    const found = await webSearchAgent(client(100))(turn("최신 뉴스 검색해줘"));
    expect(found.found).toBe(false);
    expect(found.facts[0]).toContain("지금은 검색을 할 수 없어요");
  });
});
