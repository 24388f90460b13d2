import type pg from "pg";
import { type Cache, isCacheUnavailableError } from "../../../lib/cache/index.ts";
import type { Logger } from "../../../lib/log/index.ts";
import type { NewsArticleRow } from "./article.ts";
import { countArticles, type FeedQuery, listArticles } from "./store.ts";

/** One page of the feed as served (N1), before the wire encoding. */
export interface FeedPage {
  readonly articles: NewsArticleRow[];
  readonly nextCursor: string | null;
  readonly hasMore: boolean;
  readonly totalCached: number;
  /** Seconds until this page's cached copy expires (0 when it was not cached). */
  readonly cacheExpiresIn: number;
}

// Cached pages embed the store's version: one write of a new version after a collection makes
// every replica's cached pages unreachable at once (they then expire on their own).
const VERSION_KEY = "news:feed:version";

interface CachedPage {
  readonly page: Omit<FeedPage, "cacheExpiresIn" | "articles"> & {
    readonly articles: (Omit<NewsArticleRow, "publishedAt"> & { publishedAt: string })[];
  };
  readonly expiresAtMs: number;
}

/** cursorOf is the position just after an article: `{published ms}_{id}`. */
export function cursorOf(article: NewsArticleRow): string {
  return `${article.publishedAt.getTime()}_${article.id}`;
}

export interface NewsFeedOptions {
  readonly pool: pg.Pool;
  readonly cache: Cache;
  readonly log: Logger;
  /** How long a page stays cached. */
  readonly ttlMs: number;
}

/**
 * NewsFeed reads pages with keyset paging, cache-aside in Redis (`news:feed:*`). The cache is an
 * optimisation only: when it is unavailable, pages come from PostgreSQL.
 */
export class NewsFeed {
  readonly #options: NewsFeedOptions;

  constructor(options: NewsFeedOptions) {
    this.#options = options;
  }

  async page(query: FeedQuery): Promise<FeedPage> {
    const key = await this.#cacheKey(query);
    const cached = key ? await this.#read(key) : null;
    if (cached) return cached;
    const page = await this.#load(query);
    if (key) await this.#write(key, page);
    return { ...page, cacheExpiresIn: key ? Math.round(this.#options.ttlMs / 1000) : 0 };
  }

  /** invalidate drops every cached page (after a collection changed the store). */
  async invalidate(): Promise<void> {
    await this.#quietly(() =>
      this.#options.cache.set(VERSION_KEY, `${Date.now()}-${Math.random().toString(36).slice(2)}`),
    );
  }

  async #load(query: FeedQuery): Promise<Omit<FeedPage, "cacheExpiresIn">> {
    const { pool } = this.#options;
    const [rows, total] = await Promise.all([
      listArticles(pool, { ...query, limit: query.limit + 1 }),
      countArticles(pool, query),
    ]);
    const articles = rows.slice(0, query.limit);
    const hasMore = rows.length > query.limit;
    const last = articles.at(-1);
    return {
      articles,
      hasMore,
      nextCursor: hasMore && last ? cursorOf(last) : null,
      totalCached: total,
    };
  }

  async #cacheKey(query: FeedQuery): Promise<string | null> {
    const version = await this.#quietly(() => this.#options.cache.get(VERSION_KEY));
    if (version === undefined) return null;
    const after = query.after ? `${query.after.ms}_${query.after.id ?? ""}` : "";
    const image = query.hasImage === undefined ? "" : String(query.hasImage);
    return `news:feed:${version ?? "0"}:${query.category ?? "all"}:${query.source ?? "all"}:${image}:${query.limit}:${after}`;
  }

  async #read(key: string): Promise<FeedPage | null> {
    const raw = await this.#quietly(() => this.#options.cache.get(key));
    if (!raw) return null;
    const cached = JSON.parse(raw) as CachedPage;
    return {
      ...cached.page,
      articles: cached.page.articles.map((a) => ({ ...a, publishedAt: new Date(a.publishedAt) })),
      cacheExpiresIn: Math.max(0, Math.round((cached.expiresAtMs - Date.now()) / 1000)),
    };
  }

  async #write(key: string, page: Omit<FeedPage, "cacheExpiresIn">): Promise<void> {
    const { ttlMs } = this.#options;
    const value: CachedPage = {
      page: {
        ...page,
        articles: page.articles.map((a) => ({ ...a, publishedAt: a.publishedAt.toISOString() })),
      },
      expiresAtMs: Date.now() + ttlMs,
    };
    await this.#quietly(() => this.#options.cache.set(key, JSON.stringify(value), { ttlMs }));
  }

  // Cache outages degrade to the database; anything else is a bug and propagates.
  async #quietly<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (err) {
      if (!isCacheUnavailableError(err)) throw err;
      this.#options.log.warn({ err: String(err) }, "news cache unavailable; reading PostgreSQL");
      return undefined;
    }
  }
}
