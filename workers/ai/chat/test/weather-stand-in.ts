// A local stand-in for the Open-Meteo forecast API in its real wire format: GET /v1/forecast with
// latitude, longitude, current=..., hourly=..., timezone, forecast_days; a JSON answer with
// `current_units`/`current` and `hourly_units`/`hourly`, or {"error": true, "reason"} with HTTP 400.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInWeather {
  time: string;
  temperature: number;
  precipitation: number;
  code: number;
  wind: number;
  /** 24 hourly chances of precipitation for the day of `time`, from 00:00. */
  hourlyChance: (number | null)[];
}

export const CLOUDY_DRY: StandInWeather = {
  time: "2026-06-01T14:15",
  temperature: 21.4,
  precipitation: 0,
  code: 3,
  wind: 7.6,
  hourlyChance: Array.from({ length: 24 }, (_, h) => (h < 14 ? 90 : h === 18 ? 70 : 10)),
};

export interface WeatherStandIn {
  readonly url: string;
  readonly requests: URL[];
  weather: StandInWeather;
  mode: "ok" | "fail" | "slow";
  close(): void;
}

const WANTED = ["temperature_2m", "precipitation", "weather_code", "wind_speed_10m"];

function body(w: StandInWeather, lat: number, lng: number) {
  const day = w.time.slice(0, 10);
  return {
    latitude: Math.round(lat * 100) / 100,
    longitude: Math.round(lng * 100) / 100,
    generationtime_ms: 0.06,
    utc_offset_seconds: 32400,
    timezone: "Asia/Seoul",
    timezone_abbreviation: "GMT+9",
    elevation: 38,
    current_units: {
      time: "iso8601",
      interval: "seconds",
      temperature_2m: "°C",
      precipitation: "mm",
      weather_code: "wmo code",
      wind_speed_10m: "km/h",
    },
    current: {
      time: w.time,
      interval: 900,
      temperature_2m: w.temperature,
      precipitation: w.precipitation,
      weather_code: w.code,
      wind_speed_10m: w.wind,
    },
    hourly_units: { time: "iso8601", precipitation_probability: "%" },
    hourly: {
      time: Array.from({ length: 24 }, (_, h) => `${day}T${String(h).padStart(2, "0")}:00`),
      precipitation_probability: w.hourlyChance,
    },
  };
}

export async function startWeatherStandIn(): Promise<WeatherStandIn> {
  const state: Omit<WeatherStandIn, "url" | "close"> = {
    requests: [],
    weather: CLOUDY_DRY,
    mode: "ok",
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    state.requests.push(url);
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    if (state.mode === "slow") await new Promise((resolve) => setTimeout(resolve, 500));
    if (state.mode === "fail") return json(500, { error: true, reason: "Internal server error" });
    const lat = Number(url.searchParams.get("latitude"));
    const lng = Number(url.searchParams.get("longitude"));
    const current = (url.searchParams.get("current") ?? "").split(",");
    if (url.pathname !== "/v1/forecast" || !url.searchParams.has("latitude")) {
      return json(400, { error: true, reason: "Parameter 'latitude' is missing" });
    }
    if (!WANTED.every((v) => current.includes(v))) {
      return json(400, { error: true, reason: "current weather variables missing" });
    }
    json(200, body(state.weather, lat, lng));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/v1/forecast`,
    close: () => server.close(),
  });
}
