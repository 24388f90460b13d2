// A stand-in for the news sources, speaking their real wire formats: RSS 2.0 and Atom 1.0 feeds,
// Naver's News Search JSON (with its client headers checked) and NewsData.io's /latest JSON (with
// its apikey checked). Feeds can also hang, fail or answer too much, for the fault tests.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface FakeItem {
  readonly title: string;
  readonly url: string;
  readonly summary: string;
  readonly published: Date;
  readonly image?: string;
}

export const NAVER_CLIENT = { id: "naver-id", secret: "naver-secret" };
export const NEWSDATA_KEY = "newsdata-key";

const xmlEscape = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** rss2 renders an RSS 2.0 document (descriptions in CDATA, images as media:thumbnail). */
export function rss2(title: string, items: readonly FakeItem[]): string {
  const entries = items.map(
    (i) => `<item>
  <title>${xmlEscape(i.title)}</title>
  <link>${xmlEscape(i.url)}</link>
  <guid isPermaLink="false">${xmlEscape(i.url)}#guid</guid>
  <description><![CDATA[<p>${i.summary}</p>]]></description>
  <pubDate>${i.published.toUTCString()}</pubDate>
  ${i.image ? `<media:thumbnail url="${xmlEscape(i.image)}"/>` : ""}
</item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>${xmlEscape(title)}</title><link>https://feed.example/</link>
<description>test</description>${entries.join("\n")}</channel></rss>`;
}

/** atom renders an Atom 1.0 document (the article link is rel="alternate", images as media:thumbnail). */
export function atom(title: string, items: readonly FakeItem[]): string {
  const entries = items.map(
    (i) => `<entry>
  <title type="html">${xmlEscape(i.title)}</title>
  <link rel="self" href="https://feed.example/self"/>
  <link rel="alternate" type="text/html" href="${xmlEscape(i.url)}"/>
  <id>tag:feed.example,2026:${xmlEscape(i.url)}</id>
  <updated>${i.published.toISOString()}</updated>
  <summary>${xmlEscape(i.summary)}</summary>
  ${i.image ? `<media:thumbnail url="${xmlEscape(i.image)}"/>` : ""}
</entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><title>${xmlEscape(title)}</title>
<id>urn:test</id><updated>2026-11-01T00:00:00Z</updated>${entries.join("\n")}</feed>`;
}

// Naver's pubDate is RFC 822 in Korean time, e.g. "Mon, 16 Nov 2026 14:00:00 +0900".
function naverDate(d: Date): string {
  const kst = new Date(d.getTime() + 9 * 3600_000);
  return kst.toUTCString().replace("GMT", "+0900");
}

function naverAnswer(items: readonly FakeItem[]) {
  return {
    lastBuildDate: naverDate(new Date()),
    total: items.length,
    start: 1,
    display: items.length,
    items: items.map((i) => ({
      // Naver highlights the query words with <b> and escapes entities.
      title: `<b>${xmlEscape(i.title)}</b>`,
      originallink: i.url,
      link: `https://n.news.naver.com/mnews/article/001/${encodeURIComponent(i.url).slice(-10)}`,
      description: `${xmlEscape(i.summary)} &quot;인용&quot;`,
      pubDate: naverDate(i.published),
    })),
  };
}

function newsDataAnswer(items: readonly FakeItem[]) {
  return {
    status: "success",
    totalResults: items.length,
    results: items.map((i) => ({
      // NewsData's ids are 32 hex digits, one per article.
      article_id: createHash("md5").update(i.url).digest("hex"),
      title: i.title,
      link: i.url,
      keywords: null,
      creator: null,
      video_url: null,
      description: i.summary,
      content: "ONLY AVAILABLE IN PAID PLANS",
      // NewsData gives UTC without a zone.
      pubDate: i.published.toISOString().slice(0, 19).replace("T", " "),
      pubDateTZ: "UTC",
      image_url: i.image ?? null,
      source_id: "koreaherald",
      source_name: "The Korea Herald",
      source_url: "https://www.koreaherald.com",
      source_icon: "https://i.bytvi.com/domain_icons/koreaherald.png",
      language: "english",
      country: ["south korea"],
      category: ["environment"],
      ai_tag: "ONLY AVAILABLE IN PROFESSIONAL AND CORPORATE PLANS",
      duplicate: false,
    })),
    nextPage: null,
  };
}

/** FakeNewsServer serves feeds by path; set `feeds`, `naver` and `newsdata` before a collection. */
export class FakeNewsServer {
  #server: Server | undefined;
  port = 0;
  /** Path → document; `.atom` paths are served as Atom, others as RSS. */
  feeds = new Map<string, { title: string; items: FakeItem[] }>();
  naver: FakeItem[] = [];
  newsdata: FakeItem[] = [];
  /** Requests seen, by path. */
  readonly hits = new Map<string, number>();

  async start(): Promise<void> {
    this.#server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    const address = this.#server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    this.hits.set(url.pathname, (this.hits.get(url.pathname) ?? 0) + 1);
    if (url.pathname === "/hang") return; // never answers: the client's timeout must end it
    if (url.pathname === "/broken") {
      send(res, 500, "text/plain", "upstream down");
      return;
    }
    if (url.pathname === "/huge") {
      send(res, 200, "application/rss+xml", `<rss>${" ".repeat(3_000_000)}</rss>`);
      return;
    }
    if (url.pathname.startsWith("/page/")) {
      this.#page(url, res);
      return;
    }
    if (url.pathname === "/redirect") {
      // Where an article page sends the client: the fault tests aim it at a private address.
      res.writeHead(302, { location: url.searchParams.get("to") ?? "/" });
      res.end();
      return;
    }
    if (url.pathname === "/naver") {
      this.#naver(req, url, res);
      return;
    }
    if (url.pathname === "/newsdata") {
      this.#newsdata(url, res);
      return;
    }
    const feed = this.feeds.get(url.pathname);
    if (!feed) {
      send(res, 404, "text/plain", "no such feed");
      return;
    }
    const isAtom = url.pathname.endsWith(".atom");
    const body = isAtom ? atom(feed.title, feed.items) : rss2(feed.title, feed.items);
    send(res, 200, isAtom ? "application/atom+xml" : "application/rss+xml; charset=utf-8", body);
  }

  // An article page with OpenGraph tags; `?image=` sets og:image (default a public image).
  #page(url: URL, res: ServerResponse): void {
    const image = url.searchParams.get("image") ?? `https://img.example${url.pathname}.jpg`;
    const html = `<!doctype html><html><head><title>기사</title>
<meta charset="utf-8"><meta name="twitter:card" content="summary_large_image">
<meta property="og:title" content="기사"><meta property="og:image" content="${xmlEscape(image)}">
</head><body><p>본문</p></body></html>`;
    send(res, 200, "text/html; charset=utf-8", html);
  }

  #naver(req: IncomingMessage, url: URL, res: ServerResponse): void {
    if (
      req.headers["x-naver-client-id"] !== NAVER_CLIENT.id ||
      req.headers["x-naver-client-secret"] !== NAVER_CLIENT.secret
    ) {
      send(res, 401, "application/json", JSON.stringify({ errorCode: "024" }));
      return;
    }
    if (!url.searchParams.get("query") || url.searchParams.get("sort") !== "date") {
      send(res, 400, "application/json", JSON.stringify({ errorCode: "SE01" }));
      return;
    }
    send(res, 200, "application/json", JSON.stringify(naverAnswer(this.naver)));
  }

  #newsdata(url: URL, res: ServerResponse): void {
    if (url.searchParams.get("apikey") !== NEWSDATA_KEY) {
      const error = {
        status: "error",
        results: { message: "API key invalid", code: "Unauthorized" },
      };
      send(res, 401, "application/json", JSON.stringify(error));
      return;
    }
    send(res, 200, "application/json", JSON.stringify(newsDataAnswer(this.newsdata)));
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type });
  res.end(body);
}
