import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { FakeNewsServer } from "../../../test/support/fake-news.ts";
import { ogImage } from "./enrich-thumbnails.ts";
import { fetchPublicPage, type PublicPageOptions, RefusedUrlError } from "./fetch-public-page.ts";
import { isPrivateAddress, isPublicUrl } from "./public-address.ts";

// Two stand-ins on loopback: `allowed` is exempt from the private-address check (as
// NEWS_FETCH_ALLOW_HOSTS would make it), `other` is not, so it plays a host on a private address.
const allowed = new FakeNewsServer();
const other = new FakeNewsServer();
let options: PublicPageOptions;

beforeAll(async () => {
  await Promise.all([allowed.start(), other.start()]);
  options = {
    timeoutMs: 1000,
    maxBytes: 100_000,
    maxRedirects: 3,
    allowHosts: new Set([`127.0.0.1:${allowed.port}`]),
  };
});

afterAll(async () => {
  await Promise.all([allowed.stop(), other.stop()]);
});

async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    return (err as Error).name;
  }
  return "fetched";
}

describe("private addresses (SSRF)", () => {
  it("knows the private, loopback, link-local and odd ranges, v4 and v6", () => {
    for (const ip of [
      "127.0.0.1",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "[::1]",
    ]) {
      expect({ ip, private: isPrivateAddress(ip) }).toEqual({ ip, private: true });
    }
    for (const ip of ["8.8.8.8", "211.234.1.1", "172.32.0.1", "2001:4860:4860::8888"]) {
      expect({ ip, private: isPrivateAddress(ip) }).toEqual({ ip, private: false });
    }
    expect(isPublicUrl("http://localhost:8000/x")).toBe(false);
    expect(isPublicUrl("http://127.0.0.1/x.png")).toBe(false);
    expect(isPublicUrl("file:///etc/passwd")).toBe(false);
    expect(isPublicUrl("https://img.example/a.jpg")).toBe(true);
  });
});

describe("article pages for OpenGraph thumbnails", () => {
  it("reads og:image from an allowed page", async () => {
    const html = await fetchPublicPage(allowed.url("/page/1"), options);
    expect(ogImage(html, allowed.url("/page/1"))).toBe("https://img.example/page/1.jpg");
  });

  it("refuses a page on 127.0.0.1 without connecting", async () => {
    const before = other.hits.get("/page/1") ?? 0;
    expect(await refusal(fetchPublicPage(other.url("/page/1"), options))).toBe(
      RefusedUrlError.name,
    );
    expect(other.hits.get("/page/1") ?? 0).toBe(before);
  });

  it("refuses a redirect to 127.0.0.1, re-checking every hop", async () => {
    const to = encodeURIComponent(other.url("/page/1"));
    const redirect = allowed.url(`/redirect?to=${to}`);
    expect(await refusal(fetchPublicPage(redirect, options))).toBe(RefusedUrlError.name);
    expect(other.hits.get("/page/1") ?? 0).toBe(0);
    // A redirect within allowed hosts is followed.
    const local = allowed.url(`/redirect?to=${encodeURIComponent("/page/2")}`);
    expect(ogImage(await fetchPublicPage(local, options), local)).toBe(
      "https://img.example/page/2.jpg",
    );
  });

  it("refuses a public-looking name that resolves to a private address", async () => {
    const resolve = async () => ["10.0.0.7"];
    const call = fetchPublicPage("https://intranet.example/x", { ...options, resolve });
    expect(await refusal(call)).toBe(RefusedUrlError.name);
  });

  it("an og:image pointing at 127.0.0.1 (or localhost) is no thumbnail", async () => {
    for (const image of [
      "http://127.0.0.1:9/x.png",
      "http://localhost/x.png",
      "http://[::1]/x.png",
    ]) {
      const page = allowed.url(`/page/3?image=${encodeURIComponent(image)}`);
      expect(ogImage(await fetchPublicPage(page, options), page)).toBeNull();
    }
  });

  it("resolves a relative og:image against the page and falls back to twitter:image", () => {
    const html = `<head><meta content="/img/a.jpg" property="og:image"></head>`;
    expect(ogImage(html, "https://news.example/a/b")).toBe("https://news.example/img/a.jpg");
    const twitter = `<meta name='twitter:image' content='https://img.example/t.png'>`;
    expect(ogImage(twitter, "https://news.example/")).toBe("https://img.example/t.png");
    expect(ogImage("<p>no tags</p>", "https://news.example/")).toBeNull();
  });

  it("a stop aborts a fetch in flight at once, long before its timeout", async () => {
    const stopping = new AbortController();
    const started = performance.now();
    const call = fetchPublicPage(allowed.url("/hang"), {
      ...options,
      timeoutMs: 30_000,
      signal: stopping.signal,
    });
    setTimeout(() => stopping.abort(), 50);
    expect(await refusal(call)).toBe("Error");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("times out a page that never answers", async () => {
    const started = performance.now();
    expect(await refusal(fetchPublicPage(allowed.url("/hang"), options))).toBe("Error");
    expect(performance.now() - started).toBeLessThan(2500);
  });
});
