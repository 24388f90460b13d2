import type { FetchLimits } from "./fetch-bounded.ts";
import { naverSource } from "./sources/naver-source.ts";
import { newsDataSource } from "./sources/newsdata-source.ts";
import { rssSource } from "./sources/rss-source.ts";
import type { NewsSourceClient } from "./sources/source.ts";

/** The settings that choose the news sources (catalog: the info service's NEWS_* settings). */
export interface NewsSourceSettings {
  readonly NEWS_RSS_FEEDS: string;
  readonly NEWS_NAVER_CLIENT_ID: string | undefined;
  readonly NEWS_NAVER_CLIENT_SECRET: string | undefined;
  readonly NEWS_NAVER_URL: string;
  readonly NEWS_NEWSDATA_API_KEY: string | undefined;
  readonly NEWS_NEWSDATA_URL: string;
  readonly NEWS_FETCH_TIMEOUT_MS: number;
  readonly NEWS_FETCH_MAX_BYTES: number;
}

const NAVER_PER_QUERY = 30;

/** feedUrls splits a comma-separated list (NEWS_RSS_FEEDS); `none` (or nothing) is an empty list. */
export function feedUrls(setting: string): string[] {
  if (setting.trim().toLowerCase() === "none") return [];
  return [
    ...new Set(
      setting
        .split(",")
        .map((u) => u.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * newsSources builds the configured sources: every feed, and each API whose key is set. `signal`
 * aborts their requests in flight (at shutdown).
 */
export function newsSources(
  settings: NewsSourceSettings,
  signal?: AbortSignal,
): NewsSourceClient[] {
  const limits: FetchLimits = {
    timeoutMs: settings.NEWS_FETCH_TIMEOUT_MS,
    maxBytes: settings.NEWS_FETCH_MAX_BYTES,
    signal,
  };
  const sources = feedUrls(settings.NEWS_RSS_FEEDS).map((url) => rssSource(url, limits));
  if (settings.NEWS_NAVER_CLIENT_ID && settings.NEWS_NAVER_CLIENT_SECRET) {
    sources.push(
      naverSource({
        url: settings.NEWS_NAVER_URL,
        clientId: settings.NEWS_NAVER_CLIENT_ID,
        clientSecret: settings.NEWS_NAVER_CLIENT_SECRET,
        limits,
        perQuery: NAVER_PER_QUERY,
      }),
    );
  }
  if (settings.NEWS_NEWSDATA_API_KEY) {
    sources.push(
      newsDataSource({
        url: settings.NEWS_NEWSDATA_URL,
        apiKey: settings.NEWS_NEWSDATA_API_KEY,
        limits,
      }),
    );
  }
  return sources;
}
