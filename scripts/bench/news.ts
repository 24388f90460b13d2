/**
 * news benchmark: the feed (N1) through the gateway with a signed-in user, after the system has
 * collected 5,000 articles from a stand-in RSS feed on loopback. Rows at 50 connections (autocannon)
 * for the cached first page, a cached deep page and N2, beside the gateway's /healthz; then the
 * uncached path (PostgreSQL keyset query + count), measured one request at a time over 300 distinct
 * cursors so every request misses the page cache.
 */
import { type ChildProcess, spawn } from "node:child_process";
import autocannon from "autocannon";
import { devLogin } from "../../test/support/dev-login.ts";
import { type FakeItem, FakeNewsServer } from "../../test/support/fake-news.ts";
import { allInOneEnv, waitFor } from "../../test/support/processes.ts";
import { fmt, machineNote, markdownTable, percentile, writeResult } from "./table.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const ARTICLES = 5000;
const COLD_REQUESTS = 300;

interface Page {
  articles: { id: string; published_at: string }[];
  next_cursor: string | null;
  meta: { total_cached: number };
}

async function startSystem(feedUrl: string) {
  const real = {
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    AMQP_URL: process.env.AMQP_URL,
  };
  const env = await allInOneEnv({
    RATE_LIMIT_USER_PER_MINUTE: "100000000",
    RATE_LIMIT_AUTH_PER_MINUTE: "100000",
    NEWS_RSS_FEEDS: feedUrl,
    NEWS_FIRST_REFRESH_DELAY_MS: "0",
    NEWS_THUMBNAILS: "false",
    NEWS_FETCH_MAX_BYTES: String(8 * 1024 * 1024),
    ...Object.fromEntries(Object.entries(real).filter(([, value]) => value)),
  } as Record<string, string>);
  const child: ChildProcess = spawn(process.execPath, ["scripts/start.ts"], {
    env: { ...process.env, ...env, LOG_LEVEL: "silent" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${env.PORT}`;
  await waitFor(
    async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
    60_000,
    "the system",
  );
  const backends = real.DATABASE_URL ? "PostgreSQL + Redis" : "embedded PGlite + in-process cache";
  return { child, base, backends };
}

function load(url: string, headers: Record<string, string>): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

export async function run(): Promise<string> {
  const feed = new FakeNewsServer();
  await feed.start();
  const tag = `bench${Date.now().toString(36)}`;
  const now = Date.now();
  const items: FakeItem[] = Array.from({ length: ARTICLES }, (_, n) => ({
    title: `재활용 ${n % 3 === 0 ? "태양광" : "분리배출"} 소식 ${n}`,
    url: `https://news.example/${tag}/${n}`,
    summary: "벤치마크용 기사",
    published: new Date(now - n * 1000),
  }));
  feed.feeds.set("/bench.xml", { title: "벤치 피드", items });
  const system = await startSystem(feed.url("/bench.xml"));
  try {
    const auth = (await devLogin(system.base, `bench-${tag}`)).headers;
    const news = async (query: string) =>
      (await (
        await fetch(`${system.base}/api/v1/info/news?${query}`, { headers: auth })
      ).json()) as Page;
    // The first collection has run once every article of the feed is stored.
    await waitFor(
      async () =>
        (await news(`limit=1&cursor=${now + 1}`)).meta.total_cached >= ARTICLES ? true : undefined,
      60_000,
      "the first collection",
    );
    const deep = (await news(`limit=10&cursor=${now - 2500 * 1000}`)).next_cursor!;
    const targets = [
      { name: "gateway /healthz (baseline)", url: `${system.base}/healthz` },
      { name: "N1 first page, limit 10 (cached)", url: `${system.base}/api/v1/info/news?limit=10` },
      {
        name: "N1 deep page, keyset cursor (cached)",
        url: `${system.base}/api/v1/info/news?limit=10&cursor=${encodeURIComponent(deep)}`,
      },
      { name: "N2 categories", url: `${system.base}/api/v1/info/categories` },
    ];
    const rows: string[][] = [];
    for (const target of targets) {
      await load(target.url, auth); // warm-up, not counted
      const result = await load(target.url, auth);
      rows.push([
        target.name,
        fmt.int(result.requests.average),
        fmt.ms(result.latency.p50),
        fmt.ms(result.latency.p99),
        String(result.errors + result.non2xx),
      ]);
    }
    // Uncached: each request names a cursor no earlier request used.
    const timings: number[] = [];
    for (let i = 0; i < COLD_REQUESTS; i++) {
      const cursor = now - (i * 13 + 7) * 1000;
      const started = performance.now();
      await news(`limit=10&category=environment&cursor=${cursor}`);
      timings.push(performance.now() - started);
    }
    timings.sort((a, b) => a - b);
    rows.push([
      `N1 uncached (DB keyset + count), sequential, ${COLD_REQUESTS} distinct cursors`,
      fmt.int(1000 / (timings.reduce((s, t) => s + t, 0) / timings.length)),
      fmt.ms(percentile(timings, 50)),
      fmt.ms(percentile(timings, 99)),
      "0",
    ]);
    const total = (await news("limit=1")).meta.total_cached;
    const markdown = [
      "# news: the feed (N1) through the gateway",
      "",
      machineNote(),
      `${total.toLocaleString("en-US")} articles stored (${ARTICLES.toLocaleString("en-US")} collected from a stand-in RSS feed at start); the system (${system.backends}) runs in a child process, autocannon (${CONNECTIONS} connections, ${SECONDS} s after a warm-up) in this one.`,
      "",
      markdownTable(["target", "req/s", "p50", "p99", "errors"], rows),
    ].join("\n");
    writeResult("news", markdown);
    return markdown;
  } finally {
    system.child.kill("SIGTERM");
    await feed.stop();
  }
}

if (import.meta.main) console.log(await run());
