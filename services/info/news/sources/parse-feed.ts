import { XMLParser } from "fast-xml-parser";

/** One entry of an RSS or Atom feed, as plain strings. */
export interface FeedEntry {
  readonly guid: string | null;
  readonly link: string | null;
  readonly title: string;
  readonly summary: string;
  /** As written in the feed (RFC 822 in RSS, RFC 3339 in Atom); null when absent. */
  readonly published: string | null;
  readonly imageUrl: string | null;
}

export interface ParsedFeed {
  /** The feed's own title: the `source_name` of its articles (CONTRACT A.13). */
  readonly title: string;
  readonly entries: FeedEntry[];
}

/** FeedFormatError: the document is neither RSS 2.0, RSS 1.0 (RDF) nor Atom. */
export class FeedFormatError extends Error {
  override readonly name = "FeedFormatError";
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  // Titles such as "2024" must stay strings.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ["item", "entry", "link", "media:content", "media:thumbnail"].includes(name),
});

type Node = Record<string, unknown>;

// A text node is a string, or an object with #text when it has attributes (Atom's type="html").
function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (value && typeof value === "object" && "#text" in value) return text((value as Node)["#text"]);
  return "";
}

function attr(value: unknown, name: string): string | null {
  if (value && typeof value === "object") {
    const found = (value as Node)[`@_${name}`];
    if (typeof found === "string" && found) return found;
  }
  return null;
}

function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

// media:content / media:thumbnail / an image enclosure, whichever comes first.
function imageOf(item: Node): string | null {
  for (const key of ["media:thumbnail", "media:content"]) {
    for (const media of list(item[key])) {
      const url = attr(media, "url");
      const medium = attr(media, "medium");
      const type = attr(media, "type");
      if (url && (key === "media:thumbnail" || medium === "image" || type?.startsWith("image/"))) {
        return url;
      }
    }
  }
  const enclosure = item.enclosure;
  if (attr(enclosure, "type")?.startsWith("image/")) return attr(enclosure, "url");
  return null;
}

function rssEntry(item: Node): FeedEntry {
  const link = list(item.link).map(text).find(Boolean) ?? null;
  return {
    guid: text(item.guid) || null,
    link,
    title: text(item.title),
    summary: text(item.description) || text(item["content:encoded"]),
    published: text(item.pubDate) || text(item["dc:date"]) || null,
    imageUrl: imageOf(item),
  };
}

// Atom links: rel="alternate" (or no rel) is the article; others are enclosures, self, replies.
function atomLink(links: unknown): string | null {
  for (const link of list(links)) {
    const rel = attr(link, "rel") ?? "alternate";
    const href = attr(link, "href");
    if (rel === "alternate" && href) return href;
  }
  return null;
}

function atomEntry(entry: Node): FeedEntry {
  return {
    guid: text(entry.id) || null,
    link: atomLink(entry.link),
    title: text(entry.title),
    summary: text(entry.summary) || text(entry.content),
    published: text(entry.published) || text(entry.updated) || null,
    imageUrl: imageOf(entry),
  };
}

/** parseFeed reads an RSS 2.0, RSS 1.0 (RDF) or Atom 1.0 document. */
export function parseFeed(xml: string): ParsedFeed {
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (err) {
    throw new FeedFormatError(`not well-formed XML: ${(err as Error).message}`);
  }
  const rss = doc.rss as Node | undefined;
  if (rss?.channel) {
    const channel = rss.channel as Node;
    return {
      title: text(channel.title),
      entries: list(channel.item).map((i) => rssEntry(i as Node)),
    };
  }
  const rdf = doc["rdf:RDF"] as Node | undefined;
  if (rdf?.channel) {
    return {
      title: text((rdf.channel as Node).title),
      entries: list(rdf.item).map((i) => rssEntry(i as Node)),
    };
  }
  const feed = doc.feed as Node | undefined;
  if (feed) {
    return { title: text(feed.title), entries: list(feed.entry).map((e) => atomEntry(e as Node)) };
  }
  throw new FeedFormatError("neither an RSS nor an Atom document");
}
