import type pg from "pg";
import type { NewsArticleRow, NewsSource } from "./article.ts";
import type { ArticleCategory } from "./categories.ts";

/** Where a page starts: strictly older than this time, or than (time, id) when an id is given. */
export interface FeedPosition {
  readonly ms: number;
  readonly id: string | null;
}

export interface FeedQuery {
  readonly category: ArticleCategory | null;
  readonly source: NewsSource | null;
  readonly hasImage: boolean | undefined;
  readonly after: FeedPosition | null;
  readonly limit: number;
}

export interface UpsertResult {
  readonly inserted: number;
  readonly updated: number;
  /** Ids of the inserted articles (for thumbnail enrichment). */
  readonly insertedIds: readonly string[];
}

const COLUMNS = `id, url, title, snippet, source, source_name, source_icon_url, thumbnail_url,
  video_url, category, keywords, ai_tag, published_at`;

// The rows travel as one JSON array: one statement for a whole batch, arrays (keywords) included.
const RECORD = `x(id text, url text, title text, snippet text, source text, source_name text,
  source_icon_url text, thumbnail_url text, video_url text, category text, keywords text[],
  ai_tag text, published_at timestamptz)`;

function asJson(rows: readonly NewsArticleRow[]): string {
  return JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      url: r.url,
      title: r.title,
      snippet: r.snippet,
      source: r.source,
      source_name: r.sourceName,
      source_icon_url: r.sourceIconUrl,
      thumbnail_url: r.thumbnailUrl,
      video_url: r.videoUrl,
      category: r.category,
      keywords: r.keywords,
      ai_tag: r.aiTag,
      published_at: r.publishedAt.toISOString(),
    })),
  );
}

/**
 * upsertArticles stores a batch idempotently. A new URL is inserted; an article already stored
 * under the same id and URL gets its text, image and category refreshed (only when they changed,
 * so a re-run reports 0 updated); the same URL under another id (a second source or feed carrying
 * one story) is left as first stored.
 */
export async function upsertArticles(
  pool: pg.Pool,
  rows: readonly NewsArticleRow[],
): Promise<UpsertResult> {
  if (rows.length === 0) return { inserted: 0, updated: 0, insertedIds: [] };
  const json = asJson(rows);
  const inserted = await pool.query(
    `INSERT INTO news_articles (${COLUMNS})
     SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}
     ON CONFLICT DO NOTHING RETURNING id`,
    [json],
  );
  const insertedIds = inserted.rows.map((r: { id: string }) => r.id);
  const updated = await pool.query(
    `UPDATE news_articles n SET title = x.title, snippet = x.snippet,
       thumbnail_url = coalesce(x.thumbnail_url, n.thumbnail_url), category = x.category,
       keywords = x.keywords, ai_tag = x.ai_tag, published_at = x.published_at, updated_at = now()
     FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}
     WHERE n.id = x.id AND n.url = x.url AND NOT (x.id = ANY($2::text[]))
       AND (n.title, n.snippet, n.thumbnail_url, n.category, n.keywords, n.ai_tag, n.published_at)
         IS DISTINCT FROM
           (x.title, x.snippet, coalesce(x.thumbnail_url, n.thumbnail_url), x.category,
            x.keywords, x.ai_tag, x.published_at)`,
    [json, insertedIds],
  );
  return { inserted: insertedIds.length, updated: updated.rowCount ?? 0, insertedIds };
}

interface ArticleRecord {
  id: string;
  url: string;
  title: string;
  snippet: string;
  source: NewsSource;
  source_name: string;
  source_icon_url: string | null;
  thumbnail_url: string | null;
  video_url: string | null;
  category: ArticleCategory | null;
  keywords: string[] | null;
  ai_tag: string | null;
  published_at: Date;
}

function fromRecord(r: ArticleRecord): NewsArticleRow {
  return {
    id: r.id,
    url: r.url,
    title: r.title,
    snippet: r.snippet,
    source: r.source,
    sourceName: r.source_name,
    sourceIconUrl: r.source_icon_url,
    thumbnailUrl: r.thumbnail_url,
    videoUrl: r.video_url,
    category: r.category,
    keywords: r.keywords,
    aiTag: r.ai_tag,
    publishedAt: r.published_at,
  };
}

// Filters shared by the page and the count; $1..$3 are category, source and has_image.
const FILTERS = `is_deleted = false
  AND ($1::text IS NULL OR category = $1)
  AND ($2::text IS NULL OR source = $2)
  AND ($3::boolean IS NULL OR (thumbnail_url IS NOT NULL) = $3)`;

// Milliseconds to timestamptz exactly (to_timestamp goes through a float).
const AT_MS = "(timestamptz 'epoch' + $4::bigint * interval '1 millisecond')";

/**
 * listArticles reads one page newest first, ordered by (published_at, id) descending, so a page
 * boundary is a fixed point: articles arriving later sort before it or after it, never into a
 * page already read. Reads `limit` rows; the caller asks one more to learn whether more remain.
 */
export async function listArticles(pool: pg.Pool, query: FeedQuery): Promise<NewsArticleRow[]> {
  const after = query.after;
  const position = !after
    ? "TRUE"
    : after.id === null
      ? `published_at < ${AT_MS}`
      : `(published_at, id) < (${AT_MS}, $5::text)`;
  const params: unknown[] = [query.category, query.source, query.hasImage ?? null];
  if (after) params.push(after.ms);
  if (after?.id != null) params.push(after.id);
  params.push(query.limit);
  const result = await pool.query<ArticleRecord>(
    `SELECT ${COLUMNS} FROM news_articles
     WHERE ${FILTERS} AND ${position}
     ORDER BY published_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return result.rows.map(fromRecord);
}

/** countArticles counts the articles matching the filters (the feed's `total_cached`). */
export async function countArticles(
  pool: pg.Pool,
  filter: Pick<FeedQuery, "category" | "source" | "hasImage">,
): Promise<number> {
  const result = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM news_articles WHERE ${FILTERS}`,
    [filter.category, filter.source, filter.hasImage ?? null],
  );
  return Number(result.rows[0]?.n ?? 0);
}
