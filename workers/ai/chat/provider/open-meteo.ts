// A forecast client speaking the Open-Meteo forecast API (https://api.open-meteo.com/v1/forecast):
// one GET with the point and the variables wanted, answered with JSON holding `current` (one value
// per variable) and `hourly` (`time` plus one array per variable), times local to `timezone`.
import type { Forecast, GeoPoint, WeatherPort } from "../ports.ts";
import { ProviderError } from "./openai-chat.ts";

export interface OpenMeteoOptions {
  /** The forecast endpoint, e.g. `https://api.open-meteo.com/v1/forecast`. */
  readonly url: string;
  /** Deadline of the whole call, body included. */
  readonly timeoutMs: number;
}

const CURRENT = "temperature_2m,precipitation,weather_code,wind_speed_10m";

interface ForecastBody {
  current?: {
    time?: string;
    temperature_2m?: number;
    precipitation?: number;
    weather_code?: number;
    wind_speed_10m?: number;
  };
  hourly?: { time?: string[]; precipitation_probability?: (number | null)[] };
}

/** The query, commas unescaped as the provider documents it; 4 decimals is ~10 m, plenty. */
function forecastUrl(base: string, point: GeoPoint): string {
  const query = [
    `latitude=${point.latitude.toFixed(4)}`,
    `longitude=${point.longitude.toFixed(4)}`,
    `current=${CURRENT}`,
    "hourly=precipitation_probability",
    "timezone=Asia%2FSeoul",
    "forecast_days=1",
  ].join("&");
  return `${base}${base.includes("?") ? "&" : "?"}${query}`;
}

/** The highest chance of precipitation from the observation's hour to the end of the day. */
function rainChance(body: ForecastBody, observedAt: string): number | undefined {
  const times = body.hourly?.time ?? [];
  const chances = body.hourly?.precipitation_probability ?? [];
  const hour = observedAt.slice(0, 13); // YYYY-MM-DDTHH
  const ahead = times.flatMap((t, i) => {
    const chance = chances[i];
    return t.slice(0, 13) >= hour && typeof chance === "number" ? [chance] : [];
  });
  return ahead.length > 0 ? Math.max(...ahead) : undefined;
}

function forecastOf(body: ForecastBody, source: string): Forecast {
  const c = body.current;
  if (
    typeof c?.time !== "string" ||
    typeof c.temperature_2m !== "number" ||
    typeof c.weather_code !== "number"
  ) {
    throw new ProviderError("the forecast provider's answer has no current weather");
  }
  const chance = rainChance(body, c.time);
  return {
    observedAt: c.time,
    temperatureC: c.temperature_2m,
    precipitationMm: c.precipitation ?? 0,
    weatherCode: c.weather_code,
    windKmh: c.wind_speed_10m ?? 0,
    ...(chance === undefined ? {} : { rainChancePct: chance }),
    source,
  };
}

export function createOpenMeteo(options: OpenMeteoOptions): WeatherPort {
  const source = new URL(options.url).host;
  return {
    async now(point) {
      const response = await fetch(forecastUrl(options.url, point), {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (!response.ok) {
        // Open-Meteo explains a refusal as {"error": true, "reason": "..."}.
        const text = (await response.text()).slice(0, 200);
        throw new ProviderError(`the forecast provider answered HTTP ${response.status}: ${text}`);
      }
      return forecastOf((await response.json()) as ForecastBody, source);
    },
  };
}
