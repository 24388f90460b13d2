// The models a client may name (CONTRACT S1): an explicit list, no inference from the name.
export const DEFAULT_MODEL = "gpt-5.2";

export const SUPPORTED_MODELS = [
  "gpt-5.2",
  "gpt-5.2-pro",
  "gpt-5.1",
  "gpt-5",
  "gpt-5-pro",
  "gpt-5-mini",
  "gemini-3-pro-preview",
  "gemini-3-flash-preview",
  "gemini-2.5-pro",
  "gemini-2.5-flash",
  "gemini-2.5-flash-lite",
  "gemini-2.0-flash",
  "gemini-2.0-flash-lite",
] as const;

/** The four static categories of S3. */
export const CATEGORIES = [
  {
    id: 1,
    name: "recyclable",
    displayName: "재활용폐기물",
    instructions: ["내용물을 비우고 헹군 뒤 재질별로 분리해 배출합니다."],
  },
  {
    id: 2,
    name: "general",
    displayName: "일반폐기물",
    instructions: ["재활용이 안 되는 것은 종량제 봉투에 담아 배출합니다."],
  },
  {
    id: 3,
    name: "food",
    displayName: "음식물폐기물",
    instructions: ["물기를 빼고 뼈·껍데기 같은 이물질을 골라낸 뒤 전용 용기에 배출합니다."],
  },
  {
    id: 4,
    name: "bulky",
    displayName: "대형폐기물",
    instructions: ["구청이나 온라인으로 신고하고 수수료를 낸 뒤 스티커를 붙여 배출합니다."],
  },
] as const;
