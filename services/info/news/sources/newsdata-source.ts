import type { FetchedArticle } from "../article.ts";
import { type FetchLimits, fetchBounded } from "../fetch-bounded.ts";
import type { NewsSourceClient } from "./source.ts";

/** English queries of CONTRACT §3.5 (country=kr), one request each. */
export const NEWSDATA_QUERIES = [
  "environment recycling waste",
  "renewable energy solar EV battery",
  "artificial intelligence climate",
] as const;

export interface NewsDataOptions {
  readonly url: string;
  readonly apiKey: string;
  readonly limits: FetchLimits;
}

// One result of NewsData.io's /api/1/latest (fields the feed uses).
interface NewsDataResult {
  readonly article_id?: string;
  readonly title?: string | null;
  readonly link?: string | null;
  readonly description?: string | null;
  /** "YYYY-MM-DD HH:mm:ss", in UTC. */
  readonly pubDate?: string | null;
  readonly image_url?: string | null;
  readonly video_url?: string | null;
  readonly source_id?: string | null;
  readonly source_name?: string | null;
  readonly source_icon?: string | null;
  readonly category?: readonly string[] | null;
  readonly ai_tag?: string | readonly string[] | null;
}

interface NewsDataAnswer {
  readonly status?: string;
  readonly results?: readonly NewsDataResult[] | { readonly message?: string };
}

// On plans without AI tags the field holds a notice, not a tag.
function aiTagOf(tag: NewsDataResult["ai_tag"]): string | null {
  const first = Array.isArray(tag) ? tag[0] : tag;
  return typeof first === "string" && !/^ONLY AVAILABLE/i.test(first) ? first : null;
}

function publishedAt(pubDate: string): Date {
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(pubDate) ? pubDate : `${pubDate.replace(" ", "T")}Z`);
}

/** newsDataArticles reads one answer; an error answer throws with NewsData's message. */
export function newsDataArticles(answer: NewsDataAnswer): FetchedArticle[] {
  if (answer.status !== "success" || !Array.isArray(answer.results)) {
    const message = (answer.results as { message?: string } | undefined)?.message;
    throw new Error(`newsdata answered ${answer.status ?? "nothing"}: ${message ?? ""}`);
  }
  return answer.results.flatMap((r) => {
    if (!r.article_id || !r.link || !r.pubDate) return [];
    return [
      {
        source: "newsdata" as const,
        externalId: r.article_id,
        url: r.link,
        title: r.title ?? "",
        snippet: r.description ?? "",
        sourceName: r.source_name || r.source_id || "newsdata",
        publishedAt: publishedAt(r.pubDate),
        thumbnailUrl: r.image_url,
        sourceIconUrl: r.source_icon,
        videoUrl: r.video_url,
        ownCategories: r.category ?? [],
        aiTag: aiTagOf(r.ai_tag),
      },
    ];
  });
}

/** newsDataSource asks NewsData.io for Korean news on each of the §3.5 English queries. */
export function newsDataSource(options: NewsDataOptions): NewsSourceClient {
  return {
    name: "newsdata",
    async fetchArticles() {
      const answers = await Promise.all(
        NEWSDATA_QUERIES.map(async (query) => {
          const url = new URL(options.url);
          url.searchParams.set("apikey", options.apiKey);
          url.searchParams.set("q", query);
          url.searchParams.set("country", "kr");
          const { text } = await fetchBounded(url.toString(), options.limits, {
            accept: "application/json",
          });
          return newsDataArticles(JSON.parse(text) as NewsDataAnswer);
        }),
      );
      return answers.flat();
    },
  };
}
