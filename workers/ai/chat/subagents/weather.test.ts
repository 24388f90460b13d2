import { afterAll, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import type { GeoPoint } from "../ports.ts";
import { createOpenMeteo } from "../provider/open-meteo.ts";
import { CLOUDY_DRY, startWeatherStandIn, type WeatherStandIn } from "../test/weather-stand-in.ts";
import type { Turn } from "./types.ts";
import { weatherAgent } from "./weather.ts";
import { recyclingAdvice } from "./weather-advice.ts";

let standIn: WeatherStandIn;
beforeAll(async () => {
  standIn = await startWeatherStandIn();
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.mode = "ok";
  standIn.weather = CLOUDY_DRY;
});

const agent = (timeoutMs = 2000) => weatherAgent(createOpenMeteo({ url: standIn.url, timeoutMs }));
const turn = (message: string, point?: GeoPoint): Turn => ({
  message,
  intents: ["weather"],
  history: [],
  location: async () => point,
});
const seoul = { latitude: 37.5665, longitude: 126.978 };

describe("the weather sub-agent", () => {
  it("names the sky, the temperature and today's rain chance, with a recycling tip", async () => {
    const found = await agent()(turn("오늘 날씨 어때?", seoul));
    expect(found.found).toBe(true);
    const text = found.facts.join("\n");
    expect(text).toContain("흐림");
    expect(text).toContain("21.4°C");
    expect(text).toContain("비 올 확률은 최대 70%");
    // 70 % rain later today: keep the paper dry.
    expect(text).toContain("종이류");
    expect(found.result).toMatchObject({ temperature_c: 21.4, rain_chance_pct: 70 });
    expect(found.sources).toEqual([`날씨: ${new URL(standIn.url).host}`]);
  });

  it("says when it is raining now and how much", async () => {
    standIn.weather = {
      ...CLOUDY_DRY,
      code: 63,
      precipitation: 2.5,
      hourlyChance: Array(24).fill(20),
    };
    const text = (await agent()(turn("비 와?", seoul))).facts.join("\n");
    expect(text).toContain("지금 계신 곳은 비");
    expect(text).toContain("2.5mm");
    expect(text).toContain("종이류·종이팩은 젖으면");
  });

  it("answers for today and says so when asked about tomorrow or fine dust", async () => {
    const text = (await agent()(turn("내일 미세먼지 심해?", seoul))).facts.join("\n");
    expect(text).toContain("오늘 날씨만");
    expect(text).toContain("에어코리아");
  });

  it("asks for a location when it has none, without calling the provider", async () => {
    const before = standIn.requests.length;
    const found = await agent()(turn("오늘 날씨 어때?"));
    expect(found).toMatchObject({ found: false, result: { needs_location: true } });
    expect(found.facts[0]).toContain("위치가 필요해요");
    expect(standIn.requests.length).toBe(before);
  });

  it("gives a clear degraded answer when the provider fails", async () => {
    standIn.mode = "fail";
    const found = await agent()(turn("오늘 날씨 어때?", seoul));
    expect(found.found).toBe(false);
    expect(found.facts[0]).toContain("지금은 날씨 정보를 가져올 수 없어요");
    expect(String(found.result.error)).toContain("HTTP 500");
  });

  it("gives the same clear answer when the provider is too slow", async () => {
    standIn.mode = "slow";
    const found = await agent(100)(turn("오늘 날씨 어때?", seoul));
    expect(found.found).toBe(false);
    expect(found.facts[0]).toContain("지금은 날씨 정보를 가져올 수 없어요");
  });
});

describe("recycling advice for the weather", () => {
  const forecast = (over: object) => ({
    observedAt: "2026-06-01T14:15",
    temperatureC: 20,
    precipitationMm: 0,
    weatherCode: 1,
    windKmh: 5,
    source: "x",
    ...over,
  });
  it("covers snow, wind, heat and cold, and a good day gets the set-out time", () => {
    expect(recyclingAdvice(forecast({ weatherCode: 73 })).join()).toContain("눈이 와요");
    expect(recyclingAdvice(forecast({ windKmh: 40 })).join()).toContain("날리지 않게");
    expect(recyclingAdvice(forecast({ temperatureC: 31 })).join()).toContain("음식물 쓰레기");
    expect(recyclingAdvice(forecast({ temperatureC: -9 })).join()).toContain("얼기 전에");
    const clear = recyclingAdvice(forecast({ rainChancePct: 10 }));
    expect(clear).toHaveLength(1);
    expect(clear[0]).toContain("배출 요일·시간");
  });
});
