import { readFile } from "node:fs/promises";
import type pg from "pg";
import { dedupeByUrl } from "./collect-news.ts";
import { articlesOfFeed } from "./sources/rss-source.ts";
import { countArticles, type UpsertResult, upsertArticles } from "./store.ts";

const SAMPLE_FEED = new URL("./seed/sample-feed.xml", import.meta.url);

/**
 * seedSampleNews fills an empty feed from the bundled sample feed (our own [예시] explainers), so
 * a start without network shows a news page. A feed that already holds articles is left alone.
 */
export async function seedSampleNews(pool: pg.Pool): Promise<UpsertResult> {
  const total = await countArticles(pool, { category: null, source: null, hasImage: undefined });
  if (total > 0) return { inserted: 0, updated: 0, insertedIds: [] };
  const xml = await readFile(SAMPLE_FEED, "utf8");
  return upsertArticles(pool, dedupeByUrl(articlesOfFeed(xml, "eco2-sample")));
}
