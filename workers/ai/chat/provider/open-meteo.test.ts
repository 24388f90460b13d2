import { afterAll, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import { CLOUDY_DRY, startWeatherStandIn, type WeatherStandIn } from "../test/weather-stand-in.ts";
import { createOpenMeteo } from "./open-meteo.ts";
import { ProviderError } from "./openai-chat.ts";

let standIn: WeatherStandIn;
beforeAll(async () => {
  standIn = await startWeatherStandIn();
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.mode = "ok";
  standIn.weather = CLOUDY_DRY;
});

const seoul = { latitude: 37.566535, longitude: 126.9779692 };
const client = (timeoutMs = 2000) => createOpenMeteo({ url: standIn.url, timeoutMs });

describe("the Open-Meteo forecast client", () => {
  it("asks for the current variables and today's hourly rain chance in Seoul time", async () => {
    await client().now(seoul);
    const sent = standIn.requests.at(-1)!;
    expect(sent.pathname).toBe("/v1/forecast");
    expect(Object.fromEntries(sent.searchParams)).toEqual({
      latitude: "37.5665",
      longitude: "126.9780",
      current: "temperature_2m,precipitation,weather_code,wind_speed_10m",
      hourly: "precipitation_probability",
      timezone: "Asia/Seoul",
      forecast_days: "1",
    });
  });

  it("reads the current weather and the highest rain chance from this hour on", async () => {
    const forecast = await client().now(seoul);
    expect(forecast).toEqual({
      observedAt: "2026-06-01T14:15",
      temperatureC: 21.4,
      precipitationMm: 0,
      weatherCode: 3,
      windKmh: 7.6,
      // 90 % before 14:00 is past; 70 % at 18:00 is ahead.
      rainChancePct: 70,
      source: new URL(standIn.url).host,
    });
  });

  it("leaves the rain chance unknown when the hours carry none", async () => {
    standIn.weather = { ...CLOUDY_DRY, hourlyChance: Array(24).fill(null) };
    expect((await client().now(seoul)).rainChancePct).toBeUndefined();
  });

  it("fails with the provider's reason on an error answer", async () => {
    standIn.mode = "fail";
    const failed = client().now(seoul);
    await expect(failed).rejects.toBeInstanceOf(ProviderError);
    await expect(client().now(seoul)).rejects.toThrow(/HTTP 500.*Internal server error/);
  });

  it("gives up at its deadline", async () => {
    standIn.mode = "slow";
    const started = performance.now();
    await expect(client(100).now(seoul)).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(400);
  });
});
