/** The feed's categories (N2), in the order the client shows them. */
export const NEWS_CATEGORIES = [
  { id: "all", name: "전체" },
  { id: "environment", name: "환경" },
  { id: "energy", name: "에너지" },
  { id: "ai", name: "AI" },
] as const;

export type NewsCategoryId = (typeof NEWS_CATEGORIES)[number]["id"];
/** A category an article can carry ("all" is only a filter). */
export type ArticleCategory = Exclude<NewsCategoryId, "all">;

/** CATEGORY_KEYWORDS of CONTRACT §3.5: an article's category is the one whose words it uses most. */
export const CATEGORY_KEYWORDS: Readonly<Record<ArticleCategory, readonly string[]>> = {
  environment: [
    "환경",
    "분리배출",
    "재활용",
    "쓰레기",
    "폐기물",
    "기후변화",
    "온실가스",
    "탄소",
    "생태계",
    "environment",
    "recycling",
    "waste",
    "climate",
    "pollution",
  ],
  energy: [
    "에너지",
    "신재생",
    "태양광",
    "풍력",
    "전기차",
    "배터리",
    "수소",
    "탄소중립",
    "energy",
    "solar",
    "renewable",
    "EV",
    "battery",
  ],
  ai: [
    "인공지능",
    "AI",
    "머신러닝",
    "딥러닝",
    "챗봇",
    "GPT",
    "LLM",
    "자동화",
    "artificial intelligence",
    "machine learning",
    "automation",
  ],
};

const ARTICLE_CATEGORIES = Object.keys(CATEGORY_KEYWORDS) as ArticleCategory[];

export function isArticleCategory(value: string): value is ArticleCategory {
  return (ARTICLE_CATEGORIES as string[]).includes(value);
}

// Short upper-case Latin words (AI, EV, GPT, LLM) must stand alone: "AI" inside "SAID" is no match.
// Everything else matches as a substring, which suits Korean (환경부, 재활용품).
function matcher(word: string): (text: string) => boolean {
  if (/^[A-Z]{2,4}$/.test(word)) {
    const pattern = new RegExp(`(^|[^A-Za-z])${word}([^A-Za-z]|$)`);
    return (text) => pattern.test(text);
  }
  const lower = word.toLowerCase();
  return (text) => text.toLowerCase().includes(lower);
}

const MATCHERS = ARTICLE_CATEGORIES.map((category) => ({
  category,
  words: CATEGORY_KEYWORDS[category].map((word) => ({ word, matches: matcher(word) })),
}));

/** matchedKeywords lists the category keywords the text uses, per category. */
export function matchedKeywords(text: string): Record<ArticleCategory, string[]> {
  const found = {} as Record<ArticleCategory, string[]>;
  for (const { category, words } of MATCHERS) {
    found[category] = words.filter((w) => w.matches(text)).map((w) => w.word);
  }
  return found;
}

/**
 * categorize picks the category whose keywords the text uses most; ties go to the earlier category
 * (environment, energy, ai), and a text using none has no category.
 */
export function categorize(text: string): ArticleCategory | null {
  const found = matchedKeywords(text);
  let best: ArticleCategory | null = null;
  for (const category of ARTICLE_CATEGORIES) {
    if (found[category].length > (best ? found[best].length : 0)) best = category;
  }
  return best;
}

/**
 * categoryFor uses a source's own category when it names one of ours (NewsData does), else the
 * keyword score (§3.5).
 */
export function categoryFor(own: readonly string[], text: string): ArticleCategory | null {
  const named = own.map((c) => c.toLowerCase()).find(isArticleCategory);
  return named ?? categorize(text);
}

/** keywordsFor is every category keyword the text uses (environment, energy, ai order), or null. */
export function keywordsFor(text: string): string[] | null {
  const found = matchedKeywords(text);
  const all = ARTICLE_CATEGORIES.flatMap((c) => found[c]);
  return all.length > 0 ? [...new Set(all)] : null;
}
