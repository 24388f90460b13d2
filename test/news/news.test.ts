// The news feed end to end: the all-in-one process collecting from stand-in feeds and APIs on
// loopback, read through the gateway (N1, N2) with a signed-in user. Real servers when their URLs
// are set (the suite's own Redis key is cleared first), else the embedded defaults.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createClient } from "redis";
import { devLogin } from "../support/dev-login.ts";
import { type FakeItem, FakeNewsServer, NAVER_CLIENT, NEWSDATA_KEY } from "../support/fake-news.ts";
import { allInOneEnv, type RunningProcess, startProcess, waitFor } from "../support/processes.ts";
import { realServers } from "../support/servers.ts";

interface Article {
  id: string;
  url: string;
  source: string;
  source_name: string;
  published_at: string;
  thumbnail_url: string | null;
  category: string | null;
}
interface Page {
  articles: Article[];
  next_cursor: string | null;
  has_more: boolean;
  meta: { total_cached: number; cache_expires_in: number };
}

const news = new FakeNewsServer();
let system: RunningProcess;
let base: string;
let auth: { authorization: string };
// Every URL of this run contains the tag, so rows left by earlier runs in a shared database are
// told apart.
const tag = `run${process.pid}x${Date.now().toString(36)}`;
// Dated ahead of now (to the minute), so this run's articles are the newest even in a database
// where earlier runs left theirs.
const t0 = Math.floor(Date.now() / 1000) * 1000 + 30 * 24 * 3600_000;

const item = (feed: string, n: number, extra: Partial<FakeItem> = {}): FakeItem => ({
  title: `${feed} 분리배출 소식 ${n}`,
  url: `https://news.example/${tag}/${n}`,
  summary: `재활용 이야기 ${n}`,
  published: new Date(t0 - n * 1000),
  ...(n % 4 === 0 ? { image: `https://img.example/${tag}/${n}.jpg` } : {}),
  ...extra,
});

// Three feeds over items 0..89 with overlaps: A 0..39, B 30..69 (Atom), C 60..89 + 0..9.
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const FEED_A = range(0, 40);
const FEED_B = range(30, 70);
const FEED_C = [...range(60, 90), ...range(0, 10)];

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, { headers: auth });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function page(query: string): Promise<Page> {
  const { status, body } = await get(`/api/v1/info/news?${query}`);
  if (status !== 200) throw new Error(`N1 ${query}: ${status} ${JSON.stringify(body)}`);
  return body as unknown as Page;
}

const mine = (articles: Article[]) => articles.filter((a) => a.url.includes(tag));

// This run's articles lie within [t0 - 210 s, t0 + 10 s]; reading from just above that window
// down to just below it sees all of them, however many articles earlier runs (or a benchmark) left.
const WINDOW_TOP = t0 + 3_600_000;
const WINDOW_BOTTOM = t0 - 300_000;

/**
 * pageThrough follows next_cursor through this run's window, starting from a millisecond cursor
 * above it (at most 200 pages), calling `between` after each page.
 */
async function pageThrough(query: string, between?: (n: number) => Promise<void>) {
  const seen: Article[] = [];
  let cursor = String(WINDOW_TOP);
  for (let n = 0; n < 200; n++) {
    const result = await page(`${query}&cursor=${encodeURIComponent(cursor)}`);
    seen.push(...result.articles);
    await between?.(n);
    const last = result.articles.at(-1);
    if (!result.has_more || !last || Date.parse(last.published_at) < WINDOW_BOTTOM) return seen;
    cursor = result.next_cursor!;
  }
  throw new Error("the window did not end within 200 pages");
}

async function clearLock(): Promise<void> {
  if (!realServers.redisUrl) return;
  const redis = createClient({ url: realServers.redisUrl });
  await redis.connect();
  // Another system that collected recently in this Redis holds the lock for most of its interval.
  await redis.del("eco2:news:lock:refresh");
  await redis.quit();
}

beforeAll(async () => {
  await news.start();
  news.feeds.set("/a.xml", { title: "피드 A", items: FEED_A.map((n) => item("A", n)) });
  news.feeds.set("/b.atom", { title: "피드 B", items: FEED_B.map((n) => item("B", n)) });
  news.feeds.set("/c.xml", { title: "피드 C", items: FEED_C.map((n) => item("C", n)) });
  news.naver = range(100, 110).map((n) =>
    item("N", n, { title: `태양광 풍력 신재생 에너지 ${n}` }),
  );
  news.newsdata = range(200, 210).map((n) => item("D", n, { title: `Recycling in Seoul ${n}` }));
  await clearLock();
  const feeds = ["/a.xml", "/b.atom", "/hang", "/c.xml"].map((p) => news.url(p)).join(",");
  const env = await allInOneEnv({
    ...(realServers.databaseUrl ? { DATABASE_URL: realServers.databaseUrl } : {}),
    ...(realServers.redisUrl ? { REDIS_URL: realServers.redisUrl } : {}),
    ...(realServers.amqpUrl ? { AMQP_URL: realServers.amqpUrl } : {}),
    NEWS_RSS_FEEDS: feeds,
    NEWS_NAVER_CLIENT_ID: NAVER_CLIENT.id,
    NEWS_NAVER_CLIENT_SECRET: NAVER_CLIENT.secret,
    NEWS_NAVER_URL: news.url("/naver"),
    NEWS_NEWSDATA_API_KEY: NEWSDATA_KEY,
    NEWS_NEWSDATA_URL: news.url("/newsdata"),
    NEWS_FIRST_REFRESH_DELAY_MS: "0",
    NEWS_REFRESH_INTERVAL_SECONDS: "2",
    NEWS_FETCH_TIMEOUT_MS: "1000",
    NEWS_FEED_CACHE_TTL_SECONDS: "30",
    RATE_LIMIT_USER_PER_MINUTE: "100000",
    // The login limiter counts per client address in Redis: suites before this one, on the same
    // Redis and address, have used up the default 60 a minute.
    RATE_LIMIT_AUTH_PER_MINUTE: "100000",
  });
  base = `http://127.0.0.1:${env.PORT}`;
  system = startProcess(["scripts/start.ts"], env);
  await waitFor(
    async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
    40_000,
    `the system to be ready\n${system.output()}`,
  );
  auth = (await devLogin(base, `news-${tag}`)).headers;
  // The first collection: every source's articles are in.
  await waitFor(
    async () => {
      const all = mine(await pageThrough("limit=50"));
      return all.length >= 110 ? true : undefined;
    },
    20_000,
    "the first collection",
  ).catch((err) => {
    throw new Error(`${err}\nsource hits ${JSON.stringify([...news.hits])}\n${system.output()}`);
  });
}, 90_000);

afterAll(async () => {
  system?.child.kill("SIGKILL");
  await news.stop();
});

describe("news through the gateway", () => {
  it("stores each story of 3 overlapping feeds once, across repeated collections", async () => {
    const all = mine(await pageThrough("limit=50&source=rss"));
    const urls = all.map((a) => a.url);
    expect(new Set(urls).size).toBe(urls.length);
    expect(urls.length).toBe(90);
    // Several collections later (every ~2 s), still once each.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect(mine(await pageThrough("limit=50&source=rss"))).toHaveLength(90);
    // Each story keeps the feed that brought it first; source_name is that feed's title.
    expect(new Set(all.map((a) => a.source_name))).toEqual(new Set(["피드 A", "피드 B", "피드 C"]));
  }, 30_000);

  it("a feed that hangs is logged and skipped; the others and the APIs still ingest", () => {
    expect(system.output()).toContain("news source failed; skipped");
    expect(system.output()).toContain(news.url("/hang"));
  });

  it("filters by source (naver, newsdata, rss), category and image, before the limit", async () => {
    const naver = mine(await pageThrough("limit=7&source=naver"));
    expect(naver).toHaveLength(10);
    expect(naver.every((a) => a.source === "naver" && a.category === "energy")).toBe(true);
    const newsdata = mine(await pageThrough("limit=7&source=newsdata"));
    expect(newsdata).toHaveLength(10);
    expect(newsdata.every((a) => a.source_name === "The Korea Herald")).toBe(true);
    const energy = await pageThrough("limit=7&category=energy");
    expect(energy.every((a) => a.category === "energy")).toBe(true);
    const withImage = await pageThrough("limit=9&has_image=true");
    expect(withImage.every((a) => a.thumbnail_url !== null)).toBe(true);
    expect(mine(withImage).filter((a) => a.source === "rss")).toHaveLength(23);
    const first = await page("limit=5&category=environment");
    expect(first.articles).toHaveLength(5);
    expect(first.meta.total_cached).toBeGreaterThanOrEqual(90);
  }, 30_000);

  it("pages through the feed while 10 new articles arrive: no duplicates, no gaps", async () => {
    const before = new Set(mine(await pageThrough("limit=50")).map((a) => a.url));
    const fresh = range(1000, 1010).map((n) =>
      item("A", n, { published: new Date(t0 + (n - 999) * 1000) }),
    );
    const seen = await pageThrough("limit=10", async (n) => {
      if (n !== 1) return;
      const feed = news.feeds.get("/a.xml")!;
      feed.items = [...fresh, ...feed.items];
      // The next collection (every ~2 s) stores them; wait until a fresh first page shows them.
      await waitFor(
        async () =>
          mine(await pageThrough("limit=50")).filter((a) => /\/100\d$/.test(a.url)).length === 10
            ? true
            : undefined,
        15_000,
        "the 10 new articles",
      ).catch(async (err) => {
        const top = (await page("limit=20")).articles.map((a) => `${a.published_at} ${a.url}`);
        throw new Error(`${err}\n${top.join("\n")}\n${system.output().slice(-3000)}`);
      });
    });
    const urls = seen.map((a) => a.url);
    expect(new Set(urls).size).toBe(urls.length);
    const mineSeen = new Set(mine(seen).map((a) => a.url));
    for (const url of before) expect(mineSeen.has(url)).toBe(true);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      const order =
        Date.parse(a.published_at) - Date.parse(b.published_at) || (a.id > b.id ? 1 : -1);
      expect(order).toBeGreaterThan(0);
    }
    // They come first among this run's articles on a fresh read.
    expect(
      mine(await pageThrough("limit=50"))
        .slice(0, 10)
        .map((a) => a.url),
    ).toEqual(fresh.map((f) => f.url).reverse());
  }, 40_000);

  it("answers bad input with 400 and the contract's code", async () => {
    for (const [query, code] of [
      ["cursor=yesterday", "INVALID_CURSOR_FORMAT"],
      ["cursor=123_", "INVALID_CURSOR_FORMAT"],
      ["cursor=99999999999999999999", "INVALID_CURSOR_FORMAT"],
      ["category=sports", "INVALID_CATEGORY"],
      ["source=google", "INVALID_SOURCE"],
    ] as const) {
      const { status, body } = await get(`/api/v1/info/news?${query}`);
      expect({ query, status, code: body.code }).toEqual({ query, status: 400, code });
    }
    expect((await get("/api/v1/info/news?limit=0")).status).toBe(422);
  });

  it("N2 lists the four categories", async () => {
    const { status, body } = await get("/api/v1/info/categories");
    expect(status).toBe(200);
    expect(body).toEqual({
      categories: [
        { id: "all", name: "전체" },
        { id: "environment", name: "환경" },
        { id: "energy", name: "에너지" },
        { id: "ai", name: "AI" },
      ],
    });
  });
});
