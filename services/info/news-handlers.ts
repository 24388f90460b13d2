import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, type ServiceImpl } from "@connectrpc/connect";
import type { InfoService } from "../../gen/eco2/info/v1/info_pb.ts";
import { domainError } from "../../lib/rpc/index.ts";
import { NEWS_SOURCES, type NewsArticleRow, type NewsSource } from "./news/article.ts";
import { type ArticleCategory, NEWS_CATEGORIES } from "./news/categories.ts";
import type { NewsFeed } from "./news/news-feed.ts";
import type { FeedPosition } from "./news/store.ts";

type NewsHandlers = Pick<ServiceImpl<typeof InfoService>, "listNews" | "listNewsCategories">;

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 50;
const MAX_ID_LENGTH = 64;
// `{ms}` or `{ms}_{article id}` (CONTRACT N1); ids contain underscores, so the first one splits.
const CURSOR = /^(\d{1,16})(?:_(.+))?$/;

function category(value: string): ArticleCategory | null {
  const id = value || "all";
  if (!NEWS_CATEGORIES.some((c) => c.id === id)) {
    throw domainError(Code.InvalidArgument, "INVALID_CATEGORY", "unknown news category");
  }
  return id === "all" ? null : (id as ArticleCategory);
}

function source(value: string): NewsSource | null {
  const id = value || "all";
  if (id === "all") return null;
  if (!(NEWS_SOURCES as readonly string[]).includes(id)) {
    throw domainError(Code.InvalidArgument, "INVALID_SOURCE", "unknown news source");
  }
  return id as NewsSource;
}

/** parseCursor reads N1's cursor; anything malformed is INVALID_CURSOR_FORMAT, never a 500. */
export function parseCursor(cursor: string): FeedPosition | null {
  if (!cursor) return null;
  const match = CURSOR.exec(cursor);
  const ms = match ? Number(match[1]) : Number.NaN;
  const id = match?.[2] ?? null;
  if (!match || !Number.isSafeInteger(ms) || (id !== null && id.length > MAX_ID_LENGTH)) {
    throw domainError(
      Code.InvalidArgument,
      "INVALID_CURSOR_FORMAT",
      "cursor must be <ms> or <ms>_<id>",
    );
  }
  return { ms, id };
}

function limit(value: number): number {
  if (value === 0) return DEFAULT_LIMIT;
  if (value < 1 || value > MAX_LIMIT) {
    throw domainError(Code.InvalidArgument, "INVALID_LIMIT", `limit must be 1..${MAX_LIMIT}`);
  }
  return value;
}

function articleMessage(a: NewsArticleRow) {
  return {
    id: a.id,
    title: a.title,
    url: a.url,
    snippet: a.snippet,
    source: a.source,
    sourceName: a.sourceName,
    publishedAt: timestampFromDate(a.publishedAt),
    thumbnailUrl: a.thumbnailUrl ?? undefined,
    category: a.category ?? undefined,
    sourceIconUrl: a.sourceIconUrl ?? undefined,
    videoUrl: a.videoUrl ?? undefined,
    keywords: a.keywords ?? [],
    aiTag: a.aiTag ?? undefined,
  };
}

/**
 * newsHandlers serve the news feed (N1) and its categories (N2). Filters (category, source,
 * has_image) apply before the limit, so a page is full whenever more articles match.
 */
export function newsHandlers(feed: NewsFeed): NewsHandlers {
  return {
    async listNews(request) {
      const page = await feed.page({
        category: category(request.category),
        source: source(request.source),
        hasImage: request.hasImage,
        after: parseCursor(request.cursor),
        limit: limit(request.limit),
      });
      return {
        articles: page.articles.map(articleMessage),
        nextCursor: page.nextCursor ?? undefined,
        hasMore: page.hasMore,
        totalCached: page.totalCached,
        cacheExpiresIn: page.cacheExpiresIn,
      };
    },
    listNewsCategories() {
      return { categories: NEWS_CATEGORIES.map((c) => ({ id: c.id, name: c.name })) };
    },
  };
}
