import { createHash } from "node:crypto";
import { type ArticleCategory, categoryFor, keywordsFor } from "./categories.ts";
import { isPublicUrl } from "./public-address.ts";

/** The sources an article can come from (CONTRACT N1, A.13). */
export const NEWS_SOURCES = ["naver", "newsdata", "rss"] as const;
export type NewsSource = (typeof NEWS_SOURCES)[number];

/** One article as a source found it, before it is categorised and stored. */
export interface FetchedArticle {
  readonly source: NewsSource;
  /** The source's own id, or one derived from the URL; unique within the source. */
  readonly externalId: string;
  readonly url: string;
  readonly title: string;
  readonly snippet: string;
  readonly sourceName: string;
  readonly publishedAt: Date;
  readonly thumbnailUrl?: string | null;
  readonly sourceIconUrl?: string | null;
  readonly videoUrl?: string | null;
  /** The source's own categories (NewsData), tried before keyword scoring. */
  readonly ownCategories?: readonly string[];
  readonly aiTag?: string | null;
}

/** An article as stored and served. */
export interface NewsArticleRow {
  readonly id: string;
  readonly url: string;
  readonly title: string;
  readonly snippet: string;
  readonly source: NewsSource;
  readonly sourceName: string;
  readonly publishedAt: Date;
  readonly thumbnailUrl: string | null;
  readonly sourceIconUrl: string | null;
  readonly videoUrl: string | null;
  readonly category: ArticleCategory | null;
  readonly keywords: string[] | null;
  readonly aiTag: string | null;
}

const ID_LENGTH = 64;
const MAX_TITLE = 500;
const MAX_SNIPPET = 1000;
// Tracking parameters name the campaign, not the story: two feeds linking one story differ only here.
const TRACKING_PARAMETER = /^(utm_|fbclid$|gclid$|ref$|from$)/i;

/**
 * canonicalUrl is the form articles are deduplicated by: http(s) only, no fragment, no tracking
 * parameters, lower-case host, no trailing slash on the path. Anything else is null.
 */
export function canonicalUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  url.hash = "";
  for (const key of [...url.searchParams.keys()]) {
    if (TRACKING_PARAMETER.test(key)) url.searchParams.delete(key);
  }
  if (url.pathname.length > 1) url.pathname = url.pathname.replace(/\/+$/, "");
  return url.toString();
}

/** urlId is a short stable external id for sources that give none (RSS without guid, Naver). */
export function urlId(url: string): string {
  return createHash("sha256").update(url).digest("hex").slice(0, 24);
}

// The id column is varchar(64): a long external id is replaced by its hash rather than cut.
function articleId(source: NewsSource, externalId: string): string {
  const id = `${source}_${externalId}`;
  return id.length <= ID_LENGTH ? id : `${source}_${urlId(externalId)}`;
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  middot: "·",
};

/** plainText strips tags (Naver's <b> highlights) and decodes entities, collapsing whitespace. */
export function plainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === "#") {
        const code =
          name[1] === "x" || name[1] === "X"
            ? Number.parseInt(name.slice(2), 16)
            : Number(name.slice(1));
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff
          ? String.fromCodePoint(code)
          : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/g, " ")
    .trim();
}

// Links the client opens or loads (images, icons, video): never one on a private address.
function publicUrlOrNull(raw: string | null | undefined): string | null {
  const url = raw ? canonicalUrl(raw) : null;
  return url && isPublicUrl(url) ? url : null;
}

/**
 * toRow turns what a source fetched into the stored article: canonical URL, plain text, the
 * category and keywords (§3.5). An article without a usable URL, title or date is null (skipped).
 */
export function toRow(article: FetchedArticle): NewsArticleRow | null {
  const url = canonicalUrl(article.url);
  const title = plainText(article.title).slice(0, MAX_TITLE);
  if (!url || !title || Number.isNaN(article.publishedAt.getTime())) return null;
  const snippet = plainText(article.snippet).slice(0, MAX_SNIPPET);
  const text = `${title} ${snippet}`;
  return {
    id: articleId(article.source, article.externalId),
    url,
    title,
    snippet,
    source: article.source,
    sourceName: plainText(article.sourceName).slice(0, 128) || article.source,
    publishedAt: article.publishedAt,
    thumbnailUrl: publicUrlOrNull(article.thumbnailUrl),
    sourceIconUrl: publicUrlOrNull(article.sourceIconUrl),
    videoUrl: publicUrlOrNull(article.videoUrl),
    category: categoryFor(article.ownCategories ?? [], text),
    keywords: keywordsFor(text),
    aiTag: article.aiTag ? article.aiTag.slice(0, 64) : null,
  };
}
