// The store and pickup category rules of CONTRACT §3.4: keyword hits over a site's own text.

/** Store categories in the order §3.4 tries them; the first hit wins. */
const STORE_RULES: readonly (readonly [string, readonly string[]])[] = [
  ["refill_zero", ["제로웨이스트", "리필", "무포장", "용기", "리필스테이션", "리필샵"]],
  ["cafe_bakery", ["카페", "커피", "tea", "베이커리", "브루어리"]],
  ["vegan_dining", ["비건", "vegan"]],
  [
    "upcycle_recycle",
    ["되살림", "업사이클", "리사이클", "재활용", "수거", "리폼", "수선", "재사용"],
  ],
  [
    "book_workshop",
    [
      "책방",
      "서점",
      "도서관",
      "공방",
      "스튜디오",
      "갤러리",
      "센터",
      "학교",
      "교육",
      "클래스",
      "워크샵",
      "아카데미",
    ],
  ],
  [
    "market_mart",
    [
      "마트",
      "마켓",
      "시장",
      "생협",
      "coop",
      "co-op",
      "한살림",
      "아이쿱",
      "하나로",
      "공동구매",
      "무인상점",
    ],
  ],
];

const LODGING_WORDS = [
  "숙소",
  "게스트하우스",
  "게하",
  "민박",
  "호텔",
  "펜션",
  "호스텔",
  " stay",
  " 스테이",
  "guesthouse",
  "guest house",
];

export const STORE_CATEGORIES = [
  "refill_zero",
  "cafe_bakery",
  "vegan_dining",
  "upcycle_recycle",
  "book_workshop",
  "market_mart",
  "lodging",
  "public_dropbox",
  "general",
] as const;

export const PICKUP_CATEGORIES = [
  "clear_pet",
  "colored_pet",
  "can",
  "paper",
  "plastic",
  "glass",
  "textile",
  "electronics",
  "general",
] as const;

/**
 * hasWord: Latin keywords match as whole words ("pe" must not hit "paper", "can" not "scan");
 * Korean ones as substrings, since Korean words take particles without a space.
 */
function hasWord(text: string, word: string): boolean {
  if (!/^[a-z -]+$/.test(word.trim())) return text.includes(word);
  const escaped = word.trim().replace(/[-]/g, "\\-");
  return new RegExp(`(^|[^a-z])${escaped}([^a-z]|$)`).test(text);
}

function hasAny(text: string, words: readonly string[]): boolean {
  return words.some((word) => hasWord(text, word));
}

/** storeCategory of a site from its name, introduction, addresses and memo (any order). */
export function storeCategory(fields: readonly (string | null | undefined)[]): string {
  // A leading space so " stay" also matches at the very start.
  const text = ` ${fields.filter(Boolean).join(" ").toLowerCase()}`;
  for (const [category, words] of STORE_RULES) {
    if (hasAny(text, words)) return category;
  }
  // "리필스테이션" contains "스테이": a station is not lodging.
  if (!text.includes("스테이션") && hasAny(text, LODGING_WORDS)) return "lodging";
  if (text.includes("무인") || text.includes("수거함")) return "public_dropbox";
  return "general";
}

const PICKUP_RULES: readonly (readonly [string, readonly string[]])[] = [
  ["colored_pet", ["유색", "colored", "유색페트"]],
  ["can", ["캔", "aluminum", "철캔", "metal"]],
  ["paper", ["종이", "paper", "박스"]],
  ["plastic", ["플라스틱", "plastic", "pp", "pe"]],
  ["glass", ["유리", "glass"]],
  ["textile", ["의류", "섬유", "textile"]],
  ["electronics", ["전자", "e-waste", "electronic"]],
];

/**
 * pickupCategories of a site from its collected items and notes. Clear PET is 무색/clear/투명
 * (KECO writes 투명페트병), or PET named with no colour at all ("pet only" in §3.4).
 */
export function pickupCategories(fields: readonly (string | null | undefined)[]): string[] {
  const text = fields.filter(Boolean).join(" ").toLowerCase();
  const found: string[] = [];
  const bareColourlessPet = hasAny(text, ["pet", "페트"]) && !hasAny(text, ["유색", "colored"]);
  if (hasAny(text, ["무색", "clear", "무색페트", "투명"]) || bareColourlessPet) {
    found.push("clear_pet");
  }
  for (const [category, words] of PICKUP_RULES) {
    if (hasAny(text, words)) found.push(category);
  }
  return found.length > 0 ? found : ["general"];
}
