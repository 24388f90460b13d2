import { describe, expect, it } from "bun:test";
import { atom, type FakeItem, rss2 } from "../../../test/support/fake-news.ts";
import { canonicalUrl, plainText, toRow } from "./article.ts";
import { categorize, categoryFor, keywordsFor } from "./categories.ts";
import { naverArticles } from "./sources/naver-source.ts";
import { newsDataArticles } from "./sources/newsdata-source.ts";
import { FeedFormatError, parseFeed } from "./sources/parse-feed.ts";
import { articlesOfFeed } from "./sources/rss-source.ts";

const ITEMS: FakeItem[] = [
  {
    title: "폐기물 & 재활용 <새 기준>",
    url: "https://news.example/a?utm_source=rss#top",
    summary: "분리배출 방법이 바뀝니다",
    published: new Date("2026-11-20T01:00:00Z"),
    image: "https://img.example/a.jpg",
  },
  {
    title: "2026",
    url: "https://news.example/b/",
    summary: "태양광 발전",
    published: new Date("2026-11-19T01:00:00Z"),
  },
];

describe("feed parsing (wire formats)", () => {
  it("reads RSS 2.0: channel title, entities, CDATA, media:thumbnail, RFC 822 dates", () => {
    const feed = parseFeed(rss2("환경 뉴스", ITEMS));
    expect(feed.title).toBe("환경 뉴스");
    expect(feed.entries).toHaveLength(2);
    expect(feed.entries[0]).toMatchObject({
      title: "폐기물 & 재활용 <새 기준>",
      link: "https://news.example/a?utm_source=rss#top",
      imageUrl: "https://img.example/a.jpg",
    });
    // A numeric title stays a string.
    expect(feed.entries[1]?.title).toBe("2026");
    const articles = articlesOfFeed(rss2("환경 뉴스", ITEMS), "fallback");
    expect(articles[0]?.publishedAt.toISOString()).toBe("2026-11-20T01:00:00.000Z");
    expect(articles[0]?.sourceName).toBe("환경 뉴스");
    expect(articles[0]?.source).toBe("rss");
  });

  it("reads Atom: the alternate link, not self; published or updated", () => {
    const feed = parseFeed(atom("Atom 환경", ITEMS));
    expect(feed.title).toBe("Atom 환경");
    expect(feed.entries[0]?.link).toBe("https://news.example/a?utm_source=rss#top");
    expect(new Date(feed.entries[1]!.published!).toISOString()).toBe("2026-11-19T01:00:00.000Z");
  });

  it("reads RSS 1.0 (RDF)", () => {
    const rdf = `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="x"><title>RDF 피드</title></channel>
      <item rdf:about="https://news.example/r"><title>기후변화</title><link>https://news.example/r</link>
      <dc:date>2026-11-01T00:00:00Z</dc:date></item></rdf:RDF>`;
    const [article] = articlesOfFeed(rdf, "fallback");
    expect(article).toMatchObject({ url: "https://news.example/r", sourceName: "RDF 피드" });
  });

  it("refuses what is not a feed", () => {
    expect(() => parseFeed("<html><body>hi</body></html>")).toThrow(FeedFormatError);
    expect(() => parseFeed("not xml at all <<<")).toThrow(FeedFormatError);
  });

  it("skips entries without a link or a date", () => {
    const xml = `<rss version="2.0"><channel><title>t</title>
      <item><title>no link</title><pubDate>Fri, 20 Nov 2026 09:00:00 +0900</pubDate></item>
      <item><title>no date</title><link>https://news.example/x</link></item></channel></rss>`;
    expect(articlesOfFeed(xml, "t")).toEqual([]);
  });
});

describe("API answers (wire formats)", () => {
  it("Naver: <b> highlights and entities stripped; originallink wins; publisher from its host", () => {
    const [a] = naverArticles({
      items: [
        {
          title: "<b>분리배출</b> &quot;새&quot; 기준",
          originallink: "https://www.yna.co.kr/view/AKR1?utm_medium=x",
          link: "https://n.news.naver.com/mnews/article/001/1",
          description: "환경부가 <b>재활용</b> 기준을 발표",
          pubDate: "Mon, 16 Nov 2026 14:00:00 +0900",
        },
      ],
    });
    expect(a).toMatchObject({ url: "https://www.yna.co.kr/view/AKR1", sourceName: "yna.co.kr" });
    expect(a?.publishedAt.toISOString()).toBe("2026-11-16T05:00:00.000Z");
    const row = toRow(a!);
    expect(row?.title).toBe('분리배출 "새" 기준');
    expect(row?.id).toMatch(/^naver_[0-9a-f]{24}$/);
  });

  it("NewsData: UTC dates without a zone, its own category, the plan notice is no ai_tag", () => {
    const [a] = newsDataArticles({
      status: "success",
      results: [
        {
          article_id: "abc123",
          title: "Seoul expands solar",
          link: "https://www.koreaherald.com/1",
          pubDate: "2026-11-20 03:04:05",
          category: ["environment"],
          ai_tag: "ONLY AVAILABLE IN PROFESSIONAL AND CORPORATE PLANS",
          source_name: "The Korea Herald",
        },
      ],
    });
    expect(a?.publishedAt.toISOString()).toBe("2026-11-20T03:04:05.000Z");
    const row = toRow(a!);
    expect(row).toMatchObject({ id: "newsdata_abc123", category: "environment", aiTag: null });
    expect(() =>
      newsDataArticles({ status: "error", results: { message: "API key invalid" } }),
    ).toThrow(/API key invalid/);
  });
});

describe("categories and URLs (§3.5)", () => {
  it("scores keywords; short Latin words must stand alone", () => {
    expect(categorize("분리배출과 재활용, 폐기물 줄이기")).toBe("environment");
    expect(categorize("태양광과 풍력, 수소 에너지")).toBe("energy");
    expect(categorize("AI 챗봇과 머신러닝")).toBe("ai");
    expect(categorize("SAID nothing")).toBeNull();
    expect(categorize("오늘의 날씨")).toBeNull();
    expect(categoryFor(["technology"], "태양광")).toBe("energy");
    expect(categoryFor(["Environment"], "AI")).toBe("environment");
    expect(keywordsFor("재활용 AI")).toEqual(["재활용", "AI"]);
  });

  it("canonical URLs drop fragments, tracking parameters and trailing slashes", () => {
    expect(canonicalUrl("https://News.Example/a/?utm_source=x&id=3#c")).toBe(
      "https://news.example/a?id=3",
    );
    expect(canonicalUrl("javascript:alert(1)")).toBeNull();
    expect(canonicalUrl("not a url")).toBeNull();
    expect(plainText("<p>a&nbsp;&amp;&#x41;&#66;</p>")).toBe("a &AB");
  });
});
