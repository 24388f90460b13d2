import type { Forecast, WeatherPort } from "../ports.ts";
import type { Finding, SubAgent, Turn } from "./types.ts";
import { describeCode, recyclingAdvice } from "./weather-advice.ts";

const LATER = /내일|모레|주말|다음 ?주|tomorrow|weekend|next week/i;
const AIR = /미세먼지|황사|공기 ?질|fine dust|air quality/i;

/** What the question asks that today's forecast cannot answer. */
function caveats(message: string): string[] {
  const notes: string[] = [];
  if (LATER.test(message)) notes.push("저는 오늘 날씨만 볼 수 있어서 오늘 기준으로 알려 드렸어요.");
  if (AIR.test(message)) {
    notes.push("미세먼지는 아직 볼 수 없어요. 에어코리아(airkorea.or.kr)에서 확인해 주세요.");
  }
  return notes;
}

function summary(f: Forecast): string {
  const now = `지금 계신 곳은 ${describeCode(f.weatherCode)}, 기온 ${f.temperatureC.toFixed(1)}°C예요.`;
  const rain =
    f.rainChancePct === undefined
      ? ""
      : ` 오늘 남은 시간 비 올 확률은 최대 ${Math.round(f.rainChancePct)}%예요.`;
  const falling = f.precipitationMm > 0 ? ` 지금 ${f.precipitationMm}mm 내리고 있어요.` : "";
  return `${now}${falling}${rain}`;
}

/** weatherFinding reads the forecast at the user's point; a provider failure is a clear answer. */
async function weatherFinding(weather: WeatherPort, turn: Turn): Promise<Finding> {
  const point = await turn.location();
  if (!point) {
    return {
      intent: "weather",
      found: false,
      facts: ["날씨를 알려면 위치가 필요해요. 위치 공유를 켜고 다시 물어봐 주세요."],
      result: { needs_location: true },
    };
  }
  let forecast: Forecast;
  try {
    forecast = await weather.now(point);
  } catch (err) {
    return {
      intent: "weather",
      found: false,
      facts: [
        "지금은 날씨 정보를 가져올 수 없어요. 잠시 후 다시 물어봐 주세요. 비 소식이 있으면 종이류는 젖지 않게 내놓는 것, 잊지 마세요!",
      ],
      result: { available: true, error: (err as Error).message },
    };
  }
  return {
    intent: "weather",
    found: true,
    facts: [summary(forecast), ...recyclingAdvice(forecast), ...caveats(turn.message)],
    result: {
      observed_at: forecast.observedAt,
      temperature_c: forecast.temperatureC,
      precipitation_mm: forecast.precipitationMm,
      weather_code: forecast.weatherCode,
      wind_kmh: forecast.windKmh,
      rain_chance_pct: forecast.rainChancePct ?? null,
    },
    sources: [`날씨: ${forecast.source}`],
  };
}

/**
 * weatherAgent answers with the weather now and the rest of today at the user's location, and
 * what it means for the recycling (rain → keep the paper dry). It asks for a location like the
 * place agents do; it runs only when a forecast provider is configured.
 */
export function weatherAgent(weather: WeatherPort): SubAgent {
  return (turn) => weatherFinding(weather, turn);
}
