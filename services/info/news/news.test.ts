import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import { createMemoryCache, MemoryCacheStore } from "../../../lib/cache/index.ts";
import { createPool } from "../../../lib/db/create-pool.ts";
import { migrate } from "../../../lib/db/migrate.ts";
import { type DatabaseServer, openDatabase } from "../../../lib/db/open-database.ts";
import { createLogger } from "../../../lib/log/index.ts";
import {
  type FakeItem,
  FakeNewsServer,
  NAVER_CLIENT,
  NEWSDATA_KEY,
} from "../../../test/support/fake-news.ts";
import { realServers, uniqueName } from "../../../test/support/servers.ts";
import { silentLog } from "../../../test/support/silent-log.ts";
import type { NewsArticleRow } from "./article.ts";
import { collectNews, dedupeByUrl } from "./collect-news.ts";
import { enrichThumbnails } from "./enrich-thumbnails.ts";
import { fetchPublicPage } from "./fetch-public-page.ts";
import { NewsFeed } from "./news-feed.ts";
import { startNewsRefresher } from "./news-refresher.ts";
import { newsSources } from "./news-sources.ts";
import { seedSampleNews } from "./seed-sample.ts";
import type { FeedQuery } from "./store.ts";
import { countArticles, upsertArticles } from "./store.ts";

// PostgreSQL when DATABASE_URL is set (a schema of its own, dropped after), else embedded PGlite.
const schema = uniqueName("news");
let database: DatabaseServer;
let pool: pg.Pool;
const news = new FakeNewsServer();

const lines: Record<string, unknown>[] = [];
const log = createLogger({
  service: "test",
  level: "warn",
  destination: new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  }),
});

const at = (minutesAgo: number) => new Date(Date.UTC(2026, 10, 20, 12) - minutesAgo * 60_000);
const item = (n: number, extra: Partial<FakeItem> = {}): FakeItem => ({
  title: `재활용 소식 ${n}`,
  url: `https://news.example/${schema}/${n}`,
  summary: `분리배출 이야기 ${n}`,
  published: at(n),
  ...extra,
});

function settingsFor(feeds: string[], extra: Record<string, unknown> = {}) {
  return {
    NEWS_RSS_FEEDS: feeds.length > 0 ? feeds.join(",") : "none",
    NEWS_NAVER_CLIENT_ID: undefined as string | undefined,
    NEWS_NAVER_CLIENT_SECRET: undefined as string | undefined,
    NEWS_NAVER_URL: news.url("/naver"),
    NEWS_NEWSDATA_API_KEY: undefined as string | undefined,
    NEWS_NEWSDATA_URL: news.url("/newsdata"),
    NEWS_FETCH_TIMEOUT_MS: 500,
    NEWS_FETCH_MAX_BYTES: 1_000_000,
    ...extra,
  };
}

const ours = async () =>
  Number(
    (await pool.query("SELECT count(*) AS n FROM news_articles WHERE url LIKE $1", [`%${schema}%`]))
      .rows[0].n,
  );

beforeAll(async () => {
  database = await openDatabase({
    url: realServers.databaseUrl,
    dataDir: `memory://${schema}`,
    log: silentLog,
  });
  pool = createPool({ url: database.url, schema, log: silentLog, max: 4 });
  await migrate(pool, {
    schema,
    dir: fileURLToPath(new URL("../migrations", import.meta.url)),
    log: silentLog,
  });
  await news.start();
  // Starting embedded PGlite (no DATABASE_URL) takes several seconds.
}, 60_000);

afterAll(async () => {
  await news.stop();
  await pool?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await pool?.end();
  await database?.close();
});

describe("collecting news", () => {
  it("3 feeds (RSS and Atom) with overlapping items store each story once; a second run changes nothing", async () => {
    news.feeds.set("/a.xml", { title: "피드 A", items: [item(1), item(2), item(3)] });
    // The same stories, with tracking parameters and a trailing slash: one canonical URL each.
    news.feeds.set("/b.atom", {
      title: "피드 B",
      items: [item(2, { url: `${item(2).url}/?utm_source=b` }), item(4)],
    });
    news.feeds.set("/c.xml", {
      title: "피드 C",
      items: [item(3, { url: `${item(3).url}#x` }), item(4), item(5)],
    });
    const sources = newsSources(
      settingsFor(["/a.xml", "/b.atom", "/c.xml"].map((p) => news.url(p))),
    );
    const first = await collectNews(pool, sources, log);
    expect(first).toMatchObject({ fetched: 8, inserted: 5, updated: 0, failed: [] });
    const second = await collectNews(pool, sources, log);
    expect(second).toMatchObject({ fetched: 8, inserted: 0, updated: 0 });
    expect(await ours()).toBe(5);
    const row = (await pool.query("SELECT * FROM news_articles WHERE url = $1", [item(1).url]))
      .rows[0];
    expect(row).toMatchObject({ source: "rss", source_name: "피드 A", category: "environment" });
    expect(row.id).toMatch(/^rss_[0-9a-f]{24}$/);
    expect(row.keywords).toEqual(["분리배출", "재활용"]);
  });

  it("a changed article is updated in place (same id and URL), not duplicated", async () => {
    news.feeds.set("/a.xml", {
      title: "피드 A",
      items: [item(1, { title: "재활용 소식 1 (수정)", image: "https://img.example/1.jpg" })],
    });
    const report = await collectNews(pool, newsSources(settingsFor([news.url("/a.xml")])), log);
    expect(report).toMatchObject({ inserted: 0, updated: 1 });
    const row = (await pool.query("SELECT * FROM news_articles WHERE url = $1", [item(1).url]))
      .rows[0];
    expect(row).toMatchObject({
      title: "재활용 소식 1 (수정)",
      thumbnail_url: "https://img.example/1.jpg",
    });
    expect(await ours()).toBe(5);
  });

  it("a hanging, a failing and an oversized source are skipped with a log line; the others still ingest", async () => {
    news.feeds.set("/d.xml", { title: "피드 D", items: [item(6)] });
    news.naver = [item(7, { title: "태양광 발전 확대", summary: "신재생 에너지" })];
    news.newsdata = [item(8, { title: "AI sorts waste", summary: "machine learning" })];
    lines.length = 0;
    const sources = newsSources(
      settingsFor(
        ["/hang", "/broken", "/huge", "/d.xml"].map((p) => news.url(p)),
        {
          NEWS_NAVER_CLIENT_ID: NAVER_CLIENT.id,
          NEWS_NAVER_CLIENT_SECRET: NAVER_CLIENT.secret,
          NEWS_NEWSDATA_API_KEY: NEWSDATA_KEY,
        },
      ),
    );
    const started = performance.now();
    const report = await collectNews(pool, sources, log);
    // Bounded by the 500 ms fetch timeout, not by the hanging feed.
    expect(performance.now() - started).toBeLessThan(3000);
    expect([...report.failed].sort()).toEqual(
      ["/broken", "/hang", "/huge"].map((p) => `rss:${news.url(p)}`).sort(),
    );
    expect(report.inserted).toBe(3);
    const skipped = lines
      .filter((l) => l.msg === "news source failed; skipped")
      .map((l) => l.source);
    expect(skipped.sort()).toEqual([...report.failed].sort());
    const rows = (
      await pool.query(
        "SELECT id, source, category, source_name, ai_tag FROM news_articles WHERE url = ANY($1)",
        [[item(6).url, item(7).url, item(8).url]],
      )
    ).rows;
    const bySource = Object.fromEntries(rows.map((r) => [r.source, r]));
    expect(bySource.rss).toMatchObject({ source_name: "피드 D" });
    expect(bySource.naver).toMatchObject({ category: "energy", source_name: "news.example" });
    // NewsData's own category wins over the keyword score.
    expect(bySource.newsdata).toMatchObject({ category: "environment", ai_tag: null });
    expect(bySource.newsdata.id).toMatch(/^newsdata_[0-9a-f]{32}$/);
  });

  it("a wrong API key is a failed source, not a crash", async () => {
    lines.length = 0;
    const report = await collectNews(
      pool,
      newsSources(settingsFor([], { NEWS_NEWSDATA_API_KEY: "wrong" })),
      log,
    );
    expect(report.failed).toEqual(["newsdata"]);
    // The key never reaches the log.
    expect(JSON.stringify(lines)).not.toContain("wrong");
  });

  it("new articles without an image get their page's og:image; a loopback og:image is refused", async () => {
    const page = (n: number, image?: string) =>
      news.url(`/page/${schema}-${n}${image ? `?image=${encodeURIComponent(image)}` : ""}`);
    news.feeds.set("/og.xml", {
      title: "피드 OG",
      items: [
        item(30, { url: page(30) }),
        item(31, { url: page(31, "http://127.0.0.1:9/x.png") }),
        item(32, { url: page(32), image: "https://img.example/own.jpg" }),
      ],
    });
    const enrich = (ids: readonly string[]) =>
      enrichThumbnails(
        {
          pool,
          log,
          maxPages: 10,
          concurrency: 2,
          fetchPage: (url) =>
            fetchPublicPage(url, {
              timeoutMs: 500,
              maxBytes: 100_000,
              maxRedirects: 3,
              allowHosts: new Set([`127.0.0.1:${news.port}`]),
            }),
        },
        ids,
      );
    const report = await collectNews(pool, newsSources(settingsFor([news.url("/og.xml")])), log, {
      enrich,
    });
    expect(report).toMatchObject({ inserted: 3, thumbnails: 1 });
    const thumbnails = Object.fromEntries(
      (
        await pool.query("SELECT url, thumbnail_url FROM news_articles WHERE url = ANY($1)", [
          [page(30), page(31, "http://127.0.0.1:9/x.png"), page(32)],
        ])
      ).rows.map((r) => [r.url.split("/page/")[1].split("?")[0], r.thumbnail_url]),
    );
    expect(thumbnails).toEqual({
      [`${schema}-30`]: `https://img.example/page/${schema}-30.jpg`,
      [`${schema}-31`]: null,
      [`${schema}-32`]: "https://img.example/own.jpg",
    });
  });

  it("the refresher's lock lets one of two replicas collect", async () => {
    const cache = createMemoryCache({ log: silentLog, store: new MemoryCacheStore() });
    let collected = 0;
    const replica = () =>
      startNewsRefresher({
        cache,
        log: silentLog,
        collect: async () => {
          collected++;
          return { fetched: 0, inserted: 0, updated: 0, thumbnails: 0, failed: [] };
        },
        intervalMs: 60_000,
        firstDelayMs: 60_000,
      });
    const [one, two] = [replica(), replica()];
    const ran = await Promise.all([one.runOnce(), two.runOnce()]);
    expect(ran.filter(Boolean)).toHaveLength(1);
    expect(collected).toBe(1);
    await Promise.all([one.stop(), two.stop()]);
    await cache.close();
  });
});

describe("reading the feed", () => {
  const feedSchema = uniqueName("feed");
  let feedPool: pg.Pool;
  let feed: NewsFeed;
  const cache = createMemoryCache({ log: silentLog, store: new MemoryCacheStore() });
  const row = (n: number, ms: number, extra: Partial<NewsArticleRow> = {}): NewsArticleRow => ({
    id: `rss_${String(n).padStart(4, "0")}`,
    url: `https://feed.example/${n}`,
    title: `기사 ${n}`,
    snippet: "",
    source: "rss",
    sourceName: "피드",
    publishedAt: new Date(ms),
    thumbnailUrl: n % 3 === 0 ? `https://img.example/${n}.jpg` : null,
    sourceIconUrl: null,
    videoUrl: null,
    category: n % 2 === 0 ? "environment" : "energy",
    keywords: null,
    aiTag: null,
    ...extra,
  });
  const query = (q: Partial<FeedQuery> = {}): FeedQuery => ({
    category: null,
    source: null,
    hasImage: undefined,
    after: null,
    limit: 7,
    ...q,
  });

  beforeAll(async () => {
    feedPool = createPool({ url: database.url, schema: feedSchema, log: silentLog, max: 4 });
    await migrate(feedPool, {
      schema: feedSchema,
      dir: fileURLToPath(new URL("../migrations", import.meta.url)),
      log: silentLog,
    });
    // 100 articles; every 10 share one millisecond, so ties are broken by id.
    const base = Date.UTC(2026, 10, 1);
    await upsertArticles(
      feedPool,
      Array.from({ length: 100 }, (_, n) => row(n, base + Math.floor(n / 10) * 60_000)),
    );
    feed = new NewsFeed({ pool: feedPool, cache, log: silentLog, ttlMs: 60_000 });
  });

  afterAll(async () => {
    await feedPool.query(`DROP SCHEMA IF EXISTS ${feedSchema} CASCADE`).catch(() => {});
    await feedPool.end();
    await cache.close();
  });

  async function pageThrough(q: Partial<FeedQuery>, during?: (page: number) => Promise<void>) {
    const seen: NewsArticleRow[] = [];
    let after: FeedQuery["after"] = null;
    for (let page = 0; page < 40; page++) {
      const result = await feed.page(query({ ...q, after }));
      seen.push(...result.articles);
      await during?.(page);
      if (!result.hasMore) return seen;
      const [ms, ...id] = result.nextCursor!.split("_");
      after = { ms: Number(ms), id: id.join("_") };
    }
    throw new Error("paging did not end within 40 pages");
  }

  it("pages through 100 articles while 10 newer arrive: no duplicates, no gaps, newest first", async () => {
    const later = Date.UTC(2026, 10, 10);
    const seen = await pageThrough({}, async (page) => {
      if (page !== 2) return;
      await upsertArticles(
        feedPool,
        Array.from({ length: 10 }, (_, n) => row(1000 + n, later + n)),
      );
      await feed.invalidate();
    });
    const ids = seen.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => Number(id.slice(4)) < 100).sort()).toEqual(
      Array.from({ length: 100 }, (_, n) => row(n, 0).id).sort(),
    );
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      const ordered =
        a.publishedAt.getTime() > b.publishedAt.getTime() ||
        (a.publishedAt.getTime() === b.publishedAt.getTime() && a.id > b.id);
      expect(ordered).toBe(true);
    }
    // The 10 new ones are at the top of a fresh first page.
    const fresh = await feed.page(query({ limit: 10 }));
    expect(fresh.articles.map((a) => a.id)).toEqual(
      Array.from({ length: 10 }, (_, n) => row(1009 - n, 0).id),
    );
    expect(fresh.totalCached).toBe(110);
  });

  it("filters apply before the limit: full pages of one category, source or image state", async () => {
    const energy = await pageThrough({ category: "energy" });
    expect(energy.every((a) => a.category === "energy")).toBe(true);
    expect(energy.filter((a) => Number(a.id.slice(4)) < 100)).toHaveLength(50);
    const firstEnergy = await feed.page(query({ category: "energy" }));
    expect(firstEnergy.articles).toHaveLength(7);
    const withImage = await pageThrough({ hasImage: true });
    expect(withImage.every((a) => a.thumbnailUrl !== null)).toBe(true);
    expect(withImage.filter((a) => Number(a.id.slice(4)) < 100)).toHaveLength(34);
    expect(await pageThrough({ source: "naver" })).toEqual([]);
    expect((await feed.page(query({ source: "naver" }))).hasMore).toBe(false);
  });

  it("a millisecond cursor starts strictly before that time", async () => {
    const base = Date.UTC(2026, 10, 1);
    const page = await feed.page(query({ after: { ms: base + 60_000, id: null }, limit: 50 }));
    expect(page.articles.map((a) => a.id)).toEqual(
      Array.from({ length: 10 }, (_, n) => row(9 - n, 0).id),
    );
    expect(page.hasMore).toBe(false);
    expect(page.nextCursor).toBeNull();
  });

  it("serves a repeated page from the cache until a collection invalidates it", async () => {
    const first = await feed.page(query({ limit: 3 }));
    await feedPool.query("UPDATE news_articles SET title = 'changed' WHERE id = $1", [
      first.articles[0]!.id,
    ]);
    const cached = await feed.page(query({ limit: 3 }));
    expect(cached.articles[0]?.title).toBe(first.articles[0]?.title);
    expect(cached.articles[0]?.publishedAt).toEqual(first.articles[0]!.publishedAt);
    expect(cached.cacheExpiresIn).toBeGreaterThan(0);
    await feed.invalidate();
    expect((await feed.page(query({ limit: 3 }))).articles[0]?.title).toBe("changed");
  });
});

describe("the sample seed", () => {
  it("fills an empty feed once with the bundled [예시] articles, and never a non-empty one", async () => {
    const seedSchema = uniqueName("seed");
    const seedPool = createPool({ url: database.url, schema: seedSchema, log: silentLog, max: 2 });
    try {
      await migrate(seedPool, {
        schema: seedSchema,
        dir: fileURLToPath(new URL("../migrations", import.meta.url)),
        log: silentLog,
      });
      const first = await seedSampleNews(seedPool);
      expect(first.inserted).toBeGreaterThanOrEqual(8);
      expect(await seedSampleNews(seedPool)).toMatchObject({ inserted: 0, updated: 0 });
      const all = { category: null, source: null, hasImage: undefined };
      expect(await countArticles(seedPool, all)).toBe(first.inserted);
      const titles = (
        await seedPool.query("SELECT title, source, source_name, category FROM news_articles")
      ).rows;
      expect(titles.every((t) => t.title.startsWith("[예시]") && t.source === "rss")).toBe(true);
      expect(new Set(titles.map((t) => t.category))).toEqual(
        new Set(["environment", "energy", "ai"]),
      );
    } finally {
      await seedPool.query(`DROP SCHEMA IF EXISTS ${seedSchema} CASCADE`).catch(() => {});
      await seedPool.end();
    }
  });

  it("dedupes within one batch by URL", () => {
    const a = {
      source: "rss" as const,
      externalId: "a",
      url: "https://x.example/1",
      title: "t",
      snippet: "",
      sourceName: "s",
      publishedAt: new Date(),
    };
    expect(
      dedupeByUrl([a, { ...a, externalId: "b", url: "https://x.example/1#frag" }]),
    ).toHaveLength(1);
  });
});
