// The weather and web_search intents end to end through runChat, with the sub-agents wired as
// create-agent wires them, against local stand-ins of the forecast and Responses APIs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import { type ChatAgentSettings, providedAgents } from "./create-agent.ts";
import { runChat } from "./run-chat.ts";
import { fakeDeps, type JobFields, job } from "./test/fake-ports.ts";
import { CITED, type ResponsesStandIn, startResponsesStandIn } from "./test/responses-stand-in.ts";
import { CLOUDY_DRY, startWeatherStandIn, type WeatherStandIn } from "./test/weather-stand-in.ts";

let weather: WeatherStandIn;
let responses: ResponsesStandIn;
beforeAll(async () => {
  [weather, responses] = await Promise.all([startWeatherStandIn(), startResponsesStandIn()]);
});
afterAll(() => {
  weather.close();
  responses.close();
});
beforeEach(() => {
  weather.mode = "ok";
  weather.weather = CLOUDY_DRY;
  responses.mode = "ok";
});

const BASE: ChatAgentSettings = {
  OPENAI_MODEL: "gpt-test",
  CHAT_INPUT_WAIT_MS: 10,
  CHAT_PROVIDER_TIMEOUT_MS: 2000,
  CHAT_WEB_SEARCH_TIMEOUT_MS: 2000,
  WEATHER_TIMEOUT_MS: 2000,
};
const configured = (): ChatAgentSettings => ({
  ...BASE,
  WEATHER_API_URL: weather.url,
  OPENAI_API_KEY: "sk-test",
  OPENAI_BASE_URL: responses.baseUrl,
});
const seoul = { latitude: 37.5665, longitude: 126.978 };

async function chat(settings: ChatAgentSettings, fields: JobFields, input?: unknown) {
  const { deps, events } = fakeDeps({ provided: providedAgents(settings) });
  if (input) events.input = { type: "location", data: input };
  expect(await runChat(deps, job(fields))).toBe("completed");
  const done = JSON.parse(events.stage("done")!.resultJson);
  return { done, events, text: events.text() };
}

describe("weather through runChat", () => {
  it("with a forecast provider and a location, answers with the temperature, rain and a tip", async () => {
    const { done, events, text } = await chat(configured(), {
      message: "오늘 날씨 어때?",
      userLocation: seoul,
    });
    expect(done.intents).toEqual(["weather"]);
    expect(text).toContain("21.4°C");
    expect(text).toContain("비 올 확률은 최대 70%");
    expect(text).toContain("종이류");
    expect(JSON.parse(events.stage("weather", "completed")!.resultJson)).toMatchObject({
      temperature_c: 21.4,
    });
    expect(done.persistence.metadata.sources).toContain(`날씨: ${new URL(weather.url).host}`);
    expect(weather.requests.at(-1)!.searchParams.get("latitude")).toBe("37.5665");
  });

  it("without a location, asks about the weather (needs_input) and uses the answer", async () => {
    const { events, text } = await chat(
      configured(),
      { message: "오늘 날씨 어때?" },
      { latitude: 35.1796, longitude: 129.0756 },
    );
    const asked = JSON.parse(events.stage("needs_input")!.resultJson);
    expect(asked).toMatchObject({ type: "location" });
    expect(asked.question).toContain("날씨");
    expect(weather.requests.at(-1)!.searchParams.get("latitude")).toBe("35.1796");
    expect(text).toContain("21.4°C");
  });

  it("a failing forecast provider gives a clear answer, and the job still completes", async () => {
    weather.mode = "fail";
    const { text } = await chat(configured(), { message: "오늘 날씨 어때?", userLocation: seoul });
    expect(text).toContain("지금은 날씨 정보를 가져올 수 없어요");
  });

  it("without a forecast provider, says weather is not available and calls nothing", async () => {
    const before = weather.requests.length;
    const { text } = await chat(BASE, { message: "오늘 날씨 어때?", userLocation: seoul });
    expect(text).toContain("날씨 제공자가 없어서");
    expect(weather.requests.length).toBe(before);
  });
});

describe("weather enrichment of waste and bulk_waste (CONTRACT §3.6)", () => {
  it("adds a weather tip to a waste answer when a location is given", async () => {
    const { done, events, text } = await chat(configured(), {
      message: "페트병은 어떻게 버려?",
      userLocation: seoul,
    });
    expect(done.intents).toEqual(["waste"]);
    expect(text).toContain("라벨을 뗍니다");
    expect(text).toContain("비 올 확률은 최대 70%");
    expect(JSON.parse(events.stage("weather", "completed")!.resultJson)).toMatchObject({
      enrichment: true,
    });
  });

  it("adds it to bulk_waste too, and not when no location was sent (it never asks)", async () => {
    const sofa = await chat(configured(), { message: "소파 버리려면?", userLocation: seoul });
    expect(sofa.done.intents).toEqual(["bulk_waste"]);
    expect(sofa.text).toContain("21.4°C");
    const unlocated = await chat(configured(), { message: "소파 버리려면?" });
    expect(unlocated.events.stage("weather")).toBeUndefined();
    expect(unlocated.events.stage("needs_input")).toBeUndefined();
  });

  it("not without a forecast provider, and a failed enrichment stays out of the answer", async () => {
    const plain = await chat(BASE, { message: "페트병은 어떻게 버려?", userLocation: seoul });
    expect(plain.events.stage("weather")).toBeUndefined();
    weather.mode = "fail";
    const failed = await chat(configured(), {
      message: "페트병은 어떻게 버려?",
      userLocation: seoul,
    });
    expect(failed.events.stage("weather", "completed")).toBeDefined();
    expect(failed.text).not.toContain("날씨");
    expect(failed.done.eval.grade).toBe(plain.done.eval.grade);
  });
});

describe("web_search through runChat", () => {
  it("with a provider, answers from the search and names the cited source", async () => {
    const { done, text } = await chat(configured(), { message: "최근 플라스틱 규제 뉴스 찾아줘" });
    expect(done.intents).toEqual(["web_search"]);
    expect(text).toContain("환경부는 2026년부터");
    expect(text).toContain(CITED.title);
    expect(text).toContain(CITED.url);
    expect(done.persistence.metadata.sources).toContain(CITED.url);
    expect(responses.requests.at(-1)!.body.input).toBe("최근 플라스틱 규제 뉴스 찾아줘");
  });

  it("a provider without web search gives a clear 'cannot search now' answer", async () => {
    responses.mode = "unsupported";
    const { text } = await chat(configured(), { message: "최근 플라스틱 규제 뉴스 찾아줘" });
    expect(text).toContain("지금은 검색을 할 수 없어요");
  });

  it("without a provider, says web search is not available", async () => {
    const before = responses.requests.length;
    const { text } = await chat(BASE, { message: "최근 플라스틱 규제 뉴스 찾아줘" });
    expect(text).toContain("연결된 검색 제공자가 없어서");
    expect(responses.requests.length).toBe(before);
  });
});
