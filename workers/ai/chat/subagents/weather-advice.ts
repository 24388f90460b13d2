// What the weather means for taking out the recycling: WMO weather codes (the code table the
// forecast API uses) in Korean, and 이코's advice for rain, snow, wind, heat and cold.
import type { Forecast } from "../ports.ts";

const CODES: [readonly number[], string][] = [
  [[0], "맑음"],
  [[1], "대체로 맑음"],
  [[2], "구름 조금"],
  [[3], "흐림"],
  [[45, 48], "안개"],
  [[51, 53, 55], "이슬비"],
  [[56, 57], "어는 이슬비"],
  [[61], "약한 비"],
  [[63], "비"],
  [[65], "강한 비"],
  [[66, 67], "어는 비"],
  [[71], "약한 눈"],
  [[73], "눈"],
  [[75], "많은 눈"],
  [[77], "싸락눈"],
  [[80, 81], "소나기"],
  [[82], "강한 소나기"],
  [[85, 86], "눈 소나기"],
  [[95], "뇌우"],
  [[96, 99], "우박을 동반한 뇌우"],
];

export function describeCode(code: number): string {
  return CODES.find(([codes]) => codes.includes(code))?.[1] ?? "알 수 없는 날씨";
}

const isSnow = (code: number) => (code >= 71 && code <= 77) || code === 85 || code === 86;
const isRain = (code: number) =>
  (code >= 51 && code <= 67) || (code >= 80 && code <= 82) || code >= 95;

/** Rain from this chance on is worth planning the paper around. */
const RAIN_LIKELY_PCT = 60;
const WINDY_KMH = 30;
const HOT_C = 28;
const FREEZING_C = -5;

/** recyclingAdvice is what to do with the recycling in this weather, most pressing first. */
export function recyclingAdvice(f: Forecast): string[] {
  const advice: string[] = [];
  const wet = isRain(f.weatherCode) || f.precipitationMm > 0;
  if (isSnow(f.weatherCode)) {
    advice.push(
      "눈이 와요. 종이류·박스는 젖지 않게 덮어 두었다가 내놓고, 수거함 가는 길이 미끄러우니 조심해요.",
    );
  } else if (wet || (f.rainChancePct ?? 0) >= RAIN_LIKELY_PCT) {
    advice.push(
      "비 소식이 있어요. 종이류·종이팩은 젖으면 재활용이 어려우니 비닐을 덮거나 묶어서 배출 시간 직전에 내놓고, 가능하면 비가 그친 뒤에 내놓아요.",
    );
  }
  if (f.windKmh >= WINDY_KMH) {
    advice.push(
      "바람이 강해요. 비닐·스티로폼처럼 가벼운 재활용품은 날리지 않게 봉투에 담거나 묶어서 내놓아요.",
    );
  }
  if (f.temperatureC >= HOT_C) {
    advice.push(
      "더운 날이에요. 음식물 쓰레기는 금방 상하니 물기를 꼭 빼서 바로 버리고, 음료 용기는 헹궈서 내놓아요.",
    );
  } else if (f.temperatureC <= FREEZING_C) {
    advice.push("많이 추워요. 병·캔은 속 물기가 얼기 전에 비우고 말려서 내놓아요.");
  }
  if (advice.length === 0) {
    advice.push(
      "분리배출하기 좋은 날씨예요! 재활용품은 사는 곳의 배출 요일·시간(대개 해가 진 뒤부터)에 맞춰 내놓아요.",
    );
  }
  return advice;
}
