import { Elysia, t } from "elysia";
import type { GuideSummary, NewsArticle } from "../../gen/eco2/info/v1/info_pb.ts";
import { ApiError } from "../api-error.ts";
import type { ServiceClients } from "../clients.ts";
import { errorBody, isoTime, jsonObject } from "./wire.ts";

const NEWS_CATEGORIES = ["all", "environment", "energy", "ai"] as const;
// "rss" is ours (CONTRACT A.13): articles of RSS/Atom feeds.
const NEWS_SOURCES = ["all", "naver", "newsdata", "rss"] as const;
// A cursor is a millisecond timestamp, optionally followed by "_<article id>" (keyset paging).
const NEWS_CURSOR = /^\d+(_.+)?$/;

const article = t.Object({
  id: t.String(),
  title: t.String(),
  url: t.String(),
  snippet: t.String(),
  source: t.String(),
  source_name: t.String(),
  published_at: t.String({ format: "date-time" }),
  thumbnail_url: t.Nullable(t.String()),
  category: t.Nullable(t.String()),
  source_icon_url: t.Nullable(t.String()),
  video_url: t.Nullable(t.String()),
  keywords: t.Nullable(t.Array(t.String())),
  ai_tag: t.Nullable(t.String()),
});

const newsPage = t.Object({
  articles: t.Array(article),
  next_cursor: t.Nullable(t.String()),
  has_more: t.Boolean(),
  meta: t.Object({ total_cached: t.Integer(), cache_expires_in: t.Integer() }),
});

const guide = t.Object({
  key: t.String(),
  category: t.String(),
  name: t.String(),
  summary: t.String(),
});

function articleJson(a: NewsArticle): typeof article.static {
  return {
    id: a.id,
    title: a.title,
    url: a.url,
    snippet: a.snippet,
    source: a.source,
    source_name: a.sourceName,
    published_at: isoTime(a.publishedAt),
    thumbnail_url: a.thumbnailUrl ?? null,
    category: a.category ?? null,
    source_icon_url: a.sourceIconUrl ?? null,
    video_url: a.videoUrl ?? null,
    // proto3 cannot tell an empty list from none; the client treats both alike.
    keywords: a.keywords.length > 0 ? a.keywords : null,
    ai_tag: a.aiTag ?? null,
  };
}

function guideJson(g: GuideSummary | undefined): typeof guide.static {
  if (!g) throw new Error("info service answered without a guide summary");
  return { key: g.key, category: g.category, name: g.name, summary: g.summary };
}

function oneOf<T extends string>(
  allowed: readonly T[],
  value: string,
  code: string,
  what: string,
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ApiError(400, code, `${what} must be one of ${allowed.join(", ")}`);
}

/** infoRoutes serve eco news and the disposal-rule guides (CONTRACT N1–N2, A.8) → InfoService. */
export function infoRoutes(clients: ServiceClients) {
  return new Elysia({
    name: "eco2/routes/info",
    prefix: "/api/v1/info",
    detail: { tags: ["info"] },
  })
    .get(
      "/news",
      async ({ query }) => {
        // These three are the contract's domain 400s (not 422), so they are checked here, by hand.
        const category = oneOf(NEWS_CATEGORIES, query.category, "INVALID_CATEGORY", "category");
        const source = oneOf(NEWS_SOURCES, query.source, "INVALID_SOURCE", "source");
        if (query.cursor && !NEWS_CURSOR.test(query.cursor)) {
          throw new ApiError(400, "INVALID_CURSOR_FORMAT", "cursor must be <ms> or <ms>_<id>");
        }
        const page = await clients.info.listNews({
          category,
          source,
          cursor: query.cursor ?? "",
          limit: query.limit,
          hasImage: query.has_image,
        });
        return {
          articles: page.articles.map(articleJson),
          next_cursor: page.nextCursor ?? null,
          has_more: page.hasMore,
          meta: { total_cached: page.totalCached, cache_expires_in: page.cacheExpiresIn },
        };
      },
      {
        query: t.Object({
          category: t.String({ default: "all" }),
          cursor: t.Optional(t.String()),
          limit: t.Integer({ minimum: 1, maximum: 50, default: 10 }),
          source: t.String({ default: "all" }),
          has_image: t.Optional(t.Boolean()),
        }),
        response: { 200: newsPage, 400: errorBody },
        detail: {
          summary:
            "A page of news (N1); 400 INVALID_CATEGORY / INVALID_SOURCE / INVALID_CURSOR_FORMAT",
        },
      },
    )
    .get(
      "/categories",
      async () => {
        const answer = await clients.info.listNewsCategories({});
        return { categories: answer.categories.map((c) => ({ id: c.id, name: c.name })) };
      },
      {
        response: t.Object({ categories: t.Array(t.Object({ id: t.String(), name: t.String() })) }),
        detail: { summary: "The news categories (N2)" },
      },
    )
    .get(
      "/guides",
      async () => {
        const answer = await clients.info.listGuides({});
        return { guides: answer.guides.map(guideJson) };
      },
      {
        response: t.Object({ guides: t.Array(guide) }),
        detail: { summary: "Every disposal category with a one-line summary" },
      },
    )
    .get(
      "/guides/:key",
      async ({ params: { key } }) => {
        const answer = await clients.info.getGuide({ key });
        return { ...guideJson(answer.summary), document: answer.document ?? {} };
      },
      {
        params: t.Object({ key: t.String({ minLength: 1, maxLength: 100 }) }),
        response: { 200: t.Object({ ...guide.properties, document: jsonObject }), 404: errorBody },
        detail: { summary: "One category's full disposal-rule document" },
      },
    )
    .get(
      "/search",
      async ({ query: { q } }) => {
        const answer = await clients.info.searchGuides({ query: q });
        return {
          query: q,
          matches: answer.matches.map((m) => ({
            ...guideJson(m.guide),
            matched_item: m.matchedItem,
            score: m.score,
          })),
        };
      },
      {
        query: t.Object({ q: t.String({ minLength: 1, maxLength: 100 }) }),
        response: t.Object({
          query: t.String(),
          matches: t.Array(
            t.Object({ ...guide.properties, matched_item: t.String(), score: t.Number() }),
          ),
        }),
        detail: { summary: "Item name (Korean or English) → matching disposal categories" },
      },
    );
}
