import { canonicalUrl, type FetchedArticle, urlId } from "../article.ts";
import { type FetchLimits, fetchBounded } from "../fetch-bounded.ts";
import type { NewsSourceClient } from "./source.ts";

/** Korean queries of CONTRACT §3.5, one request each. */
export const NAVER_QUERIES = [
  "환경 분리배출 재활용",
  "신재생에너지 탄소중립 태양광",
  "인공지능 환경 자원순환",
] as const;

export interface NaverOptions {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly limits: FetchLimits;
  /** Results per query, 1..100 (Naver's `display`). */
  readonly perQuery: number;
}

// The News Search API answer (developers.naver.com, /v1/search/news.json).
interface NaverAnswer {
  readonly items?: readonly {
    readonly title?: string;
    readonly originallink?: string;
    readonly link?: string;
    readonly description?: string;
    readonly pubDate?: string;
  }[];
}

// Naver names no publisher: the original article's host is the most honest source_name.
function publisherOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return "네이버 뉴스";
  }
}

/** naverArticles reads one News Search answer; items without a link or date are skipped. */
export function naverArticles(answer: NaverAnswer): FetchedArticle[] {
  return (answer.items ?? []).flatMap((item) => {
    const url = item.originallink || item.link;
    const canonical = url ? canonicalUrl(url) : null;
    if (!canonical || !item.pubDate) return [];
    return [
      {
        source: "naver" as const,
        externalId: urlId(canonical),
        url: canonical,
        title: item.title ?? "",
        snippet: item.description ?? "",
        sourceName: publisherOf(canonical),
        publishedAt: new Date(item.pubDate),
      },
    ];
  });
}

/** naverSource asks Naver News Search (sorted by date) for each of the §3.5 Korean queries. */
export function naverSource(options: NaverOptions): NewsSourceClient {
  const headers = {
    "X-Naver-Client-Id": options.clientId,
    "X-Naver-Client-Secret": options.clientSecret,
    accept: "application/json",
  };
  return {
    name: "naver",
    async fetchArticles() {
      const answers = await Promise.all(
        NAVER_QUERIES.map(async (query) => {
          const url = new URL(options.url);
          url.searchParams.set("query", query);
          url.searchParams.set("display", String(options.perQuery));
          url.searchParams.set("sort", "date");
          const { text } = await fetchBounded(url.toString(), options.limits, headers);
          return naverArticles(JSON.parse(text) as NaverAnswer);
        }),
      );
      return answers.flat();
    },
  };
}
