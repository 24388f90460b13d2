import type { CocoLabel } from "./coco-labels.ts";
import type { Classification } from "./vision-port.ts";

/** Where a detected COCO object goes in the waste taxonomy, with the tags the class alone implies. */
export interface WasteGuess extends Classification {
  readonly tags: readonly string[];
}

const R = "재활용폐기물";
const GENERAL = "일반종량제폐기물";
const NONBURN = "불연성종량제폐기물";
const FOOD = "음식물류폐기물";
const BULKY = "대형폐기물";

const recyclable = (middle: string, minor: string, ...tags: string[]): WasteGuess => ({
  major: R,
  middle,
  minor,
  tags,
});
// Majors without a middle level repeat the major as middle (CONTRACT §3.2).
const flat = (major: string, minor: string, ...tags: string[]): WasteGuess => ({
  major,
  middle: major,
  minor,
  tags,
});

/**
 * Every COCO class mapped to its most likely place when someone photographs it to throw it away;
 * null for classes that are not household waste (people, animals, vehicles, street furniture).
 * The detector cannot see material, so the guess is the common case in Korean households (a COCO
 * `bottle` is most often a PET drink bottle, a `bowl` a plastic delivery container); what the user
 * types overrides it. Minors are taxonomy item names (or a `searchTerms` word of a flat major), or
 * "" when no item fits. A test checks every name against services/info/knowledge/taxonomy.json.
 */
export const COCO_TO_TAXONOMY: Readonly<Record<CocoLabel, WasteGuess | null>> = {
  person: null,
  bicycle: flat(BULKY, "대형생활용품", "대형_폐기물_의심"),
  car: null,
  motorcycle: null,
  airplane: null,
  bus: null,
  train: null,
  truck: null,
  boat: null,
  "traffic light": null,
  "fire hydrant": null,
  "stop sign": null,
  "parking meter": null,
  bench: flat(BULKY, "가구", "대형_폐기물_의심"),
  bird: null,
  cat: null,
  dog: null,
  horse: null,
  sheep: null,
  cow: null,
  elephant: null,
  bear: null,
  zebra: null,
  giraffe: null,
  backpack: recyclable("의류및원단", "가방"),
  umbrella: flat(GENERAL, "우산 (기타재질 혼합)", "복합재질_확정"),
  handbag: recyclable("의류및원단", "가방"),
  tie: recyclable("의류및원단", "합성섬유"),
  suitcase: flat(BULKY, "바퀴 달린 가방(캐리어)", "대형_폐기물_의심"),
  frisbee: flat(GENERAL, "혼합재질 완구류", "플라스틱_재질"),
  skis: flat(BULKY, "대형생활용품", "대형_폐기물_의심"),
  snowboard: flat(BULKY, "대형생활용품", "대형_폐기물_의심"),
  "sports ball": flat(GENERAL, "혼합재질 완구류", "고무_재질"),
  kite: flat(GENERAL, "혼합재질 완구류", "복합재질_의심"),
  "baseball bat": flat(GENERAL, "나무제품", "목재_재질"),
  "baseball glove": flat(GENERAL, "", "복합재질_의심"),
  skateboard: flat(BULKY, "대형생활용품", "대형_폐기물_의심"),
  surfboard: flat(BULKY, "대형생활용품", "대형_폐기물_의심"),
  "tennis racket": flat(GENERAL, "", "복합재질_확정"),
  bottle: recyclable("무색페트병", "음료PET병", "플라스틱_재질", "뚜껑_분리_필요"),
  "wine glass": flat(NONBURN, "크리스털제품", "유리_재질"),
  cup: recyclable("플라스틱류", "컵", "플라스틱_재질"),
  fork: recyclable("금속류", "스테인리스", "금속_재질"),
  knife: flat(GENERAL, "칼 (날카로운 고철)", "금속_재질", "날카로운_모서리"),
  spoon: recyclable("금속류", "스테인리스", "금속_재질"),
  bowl: recyclable("플라스틱류", "식품용기", "플라스틱_재질"),
  banana: flat(FOOD, "과일껍질"),
  apple: flat(FOOD, "과일껍질"),
  sandwich: flat(FOOD, "남은음식"),
  orange: flat(FOOD, "과일껍질"),
  broccoli: flat(FOOD, "채소류"),
  carrot: flat(FOOD, "채소류"),
  "hot dog": flat(FOOD, "남은음식"),
  pizza: flat(FOOD, "남은음식"),
  donut: flat(FOOD, "남은음식"),
  cake: flat(FOOD, "남은음식"),
  chair: flat(BULKY, "가구", "대형_폐기물_의심"),
  couch: flat(BULKY, "가구", "대형_폐기물_의심"),
  "potted plant": flat(NONBURN, "도자기", "복합재질_확정"),
  bed: flat(BULKY, "가구", "대형_폐기물_의심"),
  "dining table": flat(BULKY, "가구", "대형_폐기물_의심"),
  toilet: flat(BULKY, "대형생활용품", "대형_폐기물_의심"),
  tv: recyclable("전기전자제품", "TV", "무상수거대상_전기전자제품", "전원선_있음"),
  laptop: recyclable("전기전자제품", "컴퓨터", "배터리_포함", "무상수거대상_전기전자제품"),
  mouse: recyclable("전기전자제품", "컴퓨터", "전원선_있음"),
  remote: recyclable("전기전자제품", "", "배터리_포함"),
  keyboard: recyclable("전기전자제품", "컴퓨터", "전원선_있음"),
  "cell phone": recyclable("전기전자제품", "휴대폰", "배터리_포함", "무상수거대상_전기전자제품"),
  microwave: recyclable("전기전자제품", "", "전원선_있음", "무상수거대상_전기전자제품"),
  oven: recyclable("전기전자제품", "", "전원선_있음", "대형가전_의심"),
  toaster: recyclable("전기전자제품", "", "전원선_있음"),
  sink: flat(BULKY, "대형생활용품", "대형_폐기물_의심"),
  refrigerator: recyclable("전기전자제품", "냉장고", "대형가전_의심", "무상수거대상_전기전자제품"),
  book: recyclable("종이", "책자", "종이_재질"),
  clock: recyclable("전기전자제품", "", "배터리_포함"),
  vase: flat(NONBURN, "도자기"),
  scissors: flat(GENERAL, "가위 (날카로운 고철)", "금속_재질", "날카로운_모서리"),
  "teddy bear": flat(GENERAL, "인형(소형)"),
  "hair drier": recyclable("전기전자제품", "", "전원선_있음"),
  toothbrush: flat(GENERAL, "칫솔", "플라스틱_재질"),
};
