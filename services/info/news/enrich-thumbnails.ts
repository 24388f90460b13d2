import type pg from "pg";
import type { Logger } from "../../../lib/log/index.ts";
import { canonicalUrl, plainText } from "./article.ts";
import { isPublicUrl } from "./public-address.ts";

// og:image first, then its secure variant, then Twitter's card image.
const IMAGE_PROPERTIES = ["og:image", "og:image:secure_url", "og:image:url", "twitter:image"];
const META_TAG = /<meta\b[^>]*>/gi;
const ATTRIBUTE = /([a-zA-Z:-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/g;

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of tag.matchAll(ATTRIBUTE)) {
    found.set(m[1]!.toLowerCase(), m[3] ?? m[4] ?? m[5] ?? "");
  }
  return found;
}

/**
 * ogImage finds a page's preview image in its OpenGraph (or Twitter card) meta tags, resolved
 * against the page's URL; an image on a private or loopback address is no image.
 */
export function ogImage(html: string, pageUrl: string): string | null {
  const head = html.slice(0, 200_000);
  const images = new Map<string, string>();
  for (const tag of head.match(META_TAG) ?? []) {
    const attrs = attributes(tag);
    const key = (attrs.get("property") ?? attrs.get("name") ?? "").toLowerCase();
    const content = attrs.get("content");
    if (IMAGE_PROPERTIES.includes(key) && content && !images.has(key)) images.set(key, content);
  }
  for (const key of IMAGE_PROPERTIES) {
    const value = images.get(key);
    if (!value) continue;
    let absolute: string;
    try {
      absolute = new URL(plainText(value), pageUrl).toString();
    } catch {
      continue;
    }
    const url = canonicalUrl(absolute);
    if (url && isPublicUrl(url)) return url;
  }
  return null;
}

export interface EnrichOptions {
  readonly pool: pg.Pool;
  readonly log: Logger;
  /** Fetches an article page (guarded: fetchPublicPage). */
  readonly fetchPage: (url: string) => Promise<string>;
  /** Most pages fetched per collection, and at once. */
  readonly maxPages: number;
  readonly concurrency: number;
}

/**
 * enrichThumbnails gives newly stored articles without an image their page's OpenGraph image.
 * Best effort: a page that fails, is refused or has no image leaves the article as it was.
 * Resolves to how many articles gained an image.
 */
export async function enrichThumbnails(
  options: EnrichOptions,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const { rows } = await options.pool.query<{ id: string; url: string }>(
    `SELECT id, url FROM news_articles WHERE id = ANY($1::text[]) AND thumbnail_url IS NULL
     ORDER BY published_at DESC LIMIT $2`,
    [ids, options.maxPages],
  );
  let gained = 0;
  const queue = [...rows];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (await enrichOne(options, next)) gained++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, rows.length) }, worker));
  return gained;
}

async function enrichOne(
  options: EnrichOptions,
  row: { id: string; url: string },
): Promise<boolean> {
  try {
    const image = ogImage(await options.fetchPage(row.url), row.url);
    if (!image) return false;
    const result = await options.pool.query(
      "UPDATE news_articles SET thumbnail_url = $2, updated_at = now() WHERE id = $1 AND thumbnail_url IS NULL",
      [row.id, image],
    );
    return (result.rowCount ?? 0) > 0;
  } catch (err) {
    options.log.info({ article: row.id, err: String(err) }, "no thumbnail from the article page");
    return false;
  }
}
