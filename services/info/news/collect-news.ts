import type pg from "pg";
import type { Logger } from "../../../lib/log/index.ts";
import { type FetchedArticle, type NewsArticleRow, toRow } from "./article.ts";
import type { NewsSourceClient } from "./sources/source.ts";
import { upsertArticles } from "./store.ts";

export interface CollectReport {
  /** Articles the sources returned, before dedupe and checks. */
  readonly fetched: number;
  readonly inserted: number;
  readonly updated: number;
  /** New articles that gained an OpenGraph thumbnail. */
  readonly thumbnails: number;
  /** Names of the sources that failed this round (logged, skipped). */
  readonly failed: readonly string[];
}

export interface CollectHooks {
  /** Looks for thumbnails of the newly inserted articles; resolves to how many gained one. */
  readonly enrich?: (insertedIds: readonly string[]) => Promise<number>;
  /** Called whenever the stored articles changed (to drop cached feed pages). */
  readonly changed?: () => Promise<void>;
}

/** dedupeByUrl keeps the first article of each canonical URL (and of each id). */
export function dedupeByUrl(articles: readonly FetchedArticle[]): NewsArticleRow[] {
  const urls = new Set<string>();
  const ids = new Set<string>();
  const rows: NewsArticleRow[] = [];
  for (const article of articles) {
    const row = toRow(article);
    if (!row || urls.has(row.url) || ids.has(row.id)) continue;
    urls.add(row.url);
    ids.add(row.id);
    rows.push(row);
  }
  return rows;
}

/**
 * collectNews asks every source at once and stores what the working ones found. A source that
 * fails or times out is logged and skipped: one dead feed never costs the others their round.
 * `enrich` then looks for thumbnails of the new articles that came without one.
 */
export async function collectNews(
  pool: pg.Pool,
  sources: readonly NewsSourceClient[],
  log: Logger,
  hooks: CollectHooks = {},
): Promise<CollectReport> {
  const results = await Promise.allSettled(sources.map((s) => s.fetchArticles()));
  const found: FetchedArticle[] = [];
  const failed: string[] = [];
  results.forEach((result, i) => {
    const name = sources[i]!.name;
    if (result.status === "fulfilled") {
      found.push(...result.value);
    } else {
      failed.push(name);
      log.warn({ source: name, err: String(result.reason) }, "news source failed; skipped");
    }
  });
  const { inserted, updated, insertedIds } = await upsertArticles(pool, dedupeByUrl(found));
  // Readers see new articles at once; thumbnails (slow page fetches) follow when they come.
  if (inserted + updated > 0) await hooks.changed?.();
  const thumbnails = hooks.enrich ? await hooks.enrich(insertedIds) : 0;
  if (thumbnails > 0) await hooks.changed?.();
  return { fetched: found.length, inserted, updated, thumbnails, failed };
}
