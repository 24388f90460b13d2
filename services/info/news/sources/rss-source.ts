import { type FetchedArticle, urlId } from "../article.ts";
import { type FetchLimits, fetchBounded } from "../fetch-bounded.ts";
import { type FeedEntry, parseFeed } from "./parse-feed.ts";
import type { NewsSourceClient } from "./source.ts";

/** entryArticle turns one feed entry into an article of source "rss"; no link or date: skipped. */
export function entryArticle(entry: FeedEntry, feedTitle: string): FetchedArticle | null {
  const url = entry.link ?? (entry.guid?.startsWith("http") ? entry.guid : null);
  if (!url || !entry.published) return null;
  return {
    source: "rss",
    // A guid is unique only within its feed; the URL is unique everywhere.
    externalId: urlId(url),
    url,
    title: entry.title,
    snippet: entry.summary,
    sourceName: feedTitle,
    publishedAt: new Date(entry.published),
    thumbnailUrl: entry.imageUrl,
  };
}

/** articlesOfFeed parses a feed document into articles named after the feed's title. */
export function articlesOfFeed(xml: string, fallbackName: string): FetchedArticle[] {
  const feed = parseFeed(xml);
  const name = feed.title.trim() || fallbackName;
  return feed.entries.flatMap((e) => entryArticle(e, name) ?? []);
}

/** rssSource reads one RSS or Atom feed (CONTRACT A.13). */
export function rssSource(feedUrl: string, limits: FetchLimits): NewsSourceClient {
  return {
    name: `rss:${feedUrl}`,
    async fetchArticles() {
      const { text } = await fetchBounded(feedUrl, limits, {
        accept: "application/rss+xml, application/atom+xml, application/xml, text/xml",
      });
      return articlesOfFeed(text, new URL(feedUrl).hostname);
    },
  };
}
