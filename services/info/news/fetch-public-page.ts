import { lookup } from "node:dns/promises";
import { type FetchLimits, fetchBounded } from "./fetch-bounded.ts";
import { isPrivateAddress, isPublicUrl } from "./public-address.ts";

export interface PublicPageOptions extends FetchLimits {
  /**
   * `host:port` pairs exempt from the private-address check. A test setting: stand-in servers
   * live on 127.0.0.1. Empty in production.
   */
  readonly allowHosts: ReadonlySet<string>;
  /** Redirects followed, each re-checked. */
  readonly maxRedirects: number;
  /** Resolves a hostname to its addresses (node:dns by default; tests pass their own). */
  readonly resolve?: (host: string) => Promise<string[]>;
}

/** RefusedUrlError: a URL (or a redirect's target) points at a private, loopback or odd address. */
export class RefusedUrlError extends Error {
  override readonly name = "RefusedUrlError";
}

async function resolveAll(host: string): Promise<string[]> {
  return (await lookup(host, { all: true })).map((a) => a.address);
}

function hostKey(url: URL): string {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.hostname}:${port}`;
}

// Refuses before connecting: an IP literal or a name resolving to any private address. (A name
// that resolves differently at connect time could still slip past; the NetworkPolicy's egress,
// which excludes private ranges, is the second wall.)
async function assertPublic(url: URL, options: PublicPageOptions): Promise<void> {
  if (options.allowHosts.has(hostKey(url))) return;
  if (!isPublicUrl(url.toString())) throw new RefusedUrlError(`refused ${url.host}`);
  const addresses = await (options.resolve ?? resolveAll)(url.hostname.replace(/^\[|\]$/g, ""));
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new RefusedUrlError(`refused ${url.host}: resolves to a private address`);
  }
}

/**
 * fetchPublicPage GETs an HTML page on the public internet for its OpenGraph tags: each hop (the
 * URL and every redirect) is checked against private addresses, with the same time and size
 * limits as every news fetch.
 */
export async function fetchPublicPage(raw: string, options: PublicPageOptions): Promise<string> {
  let url = new URL(raw);
  for (let hop = 0; hop <= options.maxRedirects; hop++) {
    await assertPublic(url, options);
    const page = await fetchBounded(url.toString(), options, { accept: "text/html" }, "manual");
    if (page.location === null) {
      if (!/html/i.test(page.contentType)) throw new Error(`not HTML: ${page.contentType}`);
      return page.text;
    }
    url = new URL(page.location, url);
  }
  throw new Error(`more than ${options.maxRedirects} redirects`);
}
