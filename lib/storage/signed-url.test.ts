import { describe, expect, it } from "bun:test";
import { assertObjectKey } from "./assert-object-key.ts";
import { InvalidObjectKeyError } from "./errors.ts";
import { handleMediaRequest } from "./handle-media-request.ts";
import type { ObjectStore } from "./object-store.ts";
import { signUrl, verifySignedUrl } from "./signed-url.ts";

const BASE = "http://localhost:8000/media/";
const SECRET = "s3cret";
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const verify = (url: string, method: string, extra: { contentType?: string; now?: number } = {}) =>
  verifySignedUrl(url, { secret: SECRET, basePath: "/media/", method, now: NOW, ...extra });

describe("assertObjectKey", () => {
  it.each(["a.jpg", "scans/2026/11/0b6c.jpg", "사진/분리배출.png", "dots..in.name", "..hidden"])(
    "accepts %p",
    (key) => {
      expect(() => assertObjectKey(key)).not.toThrow();
    },
  );
  it.each([
    ["", "empty"],
    ["/abs", "absolute"],
    ["C:/x", "drive-absolute"],
    ["..", "'..' segment"],
    ["a/../b", "'..' segment"],
    ["a/./b", "'.' segment"],
    ["a//b", "empty path segment"],
    ["a/", "empty path segment"],
    ["a\\b", "backslash"],
    ["a\u0000b", "control character"],
    ["a\nb", "control character"],
  ])("rejects %p (%s)", (key, reason) => {
    const err = (() => {
      try {
        assertObjectKey(key);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(InvalidObjectKeyError);
    expect(err?.message).toContain(reason);
  });
});

describe("assertObjectKey limits", () => {
  it("accepts 1024 bytes and rejects 1025 (UTF-8)", () => {
    expect(() => assertObjectKey("x".repeat(1024))).not.toThrow();
    expect(() => assertObjectKey("x".repeat(1025))).toThrow("longer than 1024 bytes");
    // 342 Hangul syllables are 1026 bytes.
    expect(() => assertObjectKey("가".repeat(342))).toThrow(InvalidObjectKeyError);
  });
});

describe("signUrl / verifySignedUrl", () => {
  const put = signUrl({
    publicBaseUrl: BASE,
    secret: SECRET,
    method: "PUT",
    key: "scans/a b.jpg",
    contentType: "image/jpeg",
    expiresInSec: 60,
    now: NOW,
  });

  it("round-trips the key and content type", () => {
    expect(put.startsWith(`${BASE}scans/a%20b.jpg?`)).toBe(true);
    expect(verify(put, "PUT", { contentType: "image/jpeg" })).toEqual({
      ok: true,
      key: "scans/a b.jpg",
      contentType: "image/jpeg",
    });
  });

  it("says why a URL is refused", () => {
    expect(verify(put, "PUT", { contentType: "image/png" })).toEqual({
      ok: false,
      reason: "wrong-type",
    });
    expect(verify(put, "GET")).toEqual({ ok: false, reason: "wrong-method" });
    expect(verify(put, "PUT", { contentType: "image/jpeg", now: NOW + 61_000 })).toEqual({
      ok: false,
      reason: "expired",
    });
    // Valid for at least the whole 60 s.
    expect(verify(put, "PUT", { contentType: "image/jpeg", now: NOW + 60_000 }).ok).toBe(true);
    expect(verify(put.replace("a%20b", "c"), "PUT", { contentType: "image/jpeg" })).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    expect(verify(put.replace(/expires=\d+/, "expires=9999999999"), "PUT")).toMatchObject({
      ok: false,
      reason: "bad-signature",
    });
    const otherSecret = verifySignedUrl(put, {
      secret: "other",
      basePath: "/media/",
      method: "PUT",
      contentType: "image/jpeg",
      now: NOW,
    });
    expect(otherSecret).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("refuses paths that decode to unsafe keys", () => {
    for (const path of ["/media/..%2Fetc%2Fpasswd", "/media/a%5Cb", "/media/a%00b", "/other/x"]) {
      expect(verify(`http://localhost:8000${path}?method=GET&expires=1&sig=x`, "GET")).toEqual({
        ok: false,
        reason: "malformed",
      });
    }
  });
});

describe("handleMediaRequest", () => {
  const stored = new Map<string, { body: Uint8Array; contentType: string }>();
  const store = {
    kind: "local",
    putObject: async (key: string, body: Uint8Array | string, o?: { contentType?: string }) => {
      stored.set(key, {
        body: typeof body === "string" ? new TextEncoder().encode(body) : body,
        contentType: o?.contentType ?? "application/octet-stream",
      });
    },
    getObject: async (key: string) => {
      const found = stored.get(key);
      return found ? { ...found, size: found.body.byteLength } : null;
    },
  } as unknown as ObjectStore;
  const handle = (request: Request) =>
    handleMediaRequest(request, { store, secret: SECRET, basePath: "/media/", maxBytes: 8 });
  const sign = (method: "GET" | "PUT", key: string, contentType?: string) =>
    signUrl({ publicBaseUrl: BASE, secret: SECRET, method, key, contentType, expiresInSec: 60 });

  it("stores a signed upload and serves it back", async () => {
    const put = await handle(
      new Request(sign("PUT", "k.txt", "text/plain"), {
        method: "PUT",
        body: "hello",
        headers: { "content-type": "text/plain" },
      }),
    );
    expect(put.status).toBe(201);
    const get = await handle(new Request(sign("GET", "k.txt")));
    expect(get.status).toBe(200);
    expect(get.headers.get("content-type")).toBe("text/plain");
    expect(await get.text()).toBe("hello");
    const head = await handle(new Request(sign("GET", "k.txt"), { method: "HEAD" }));
    expect(head.status).toBe(200);
    expect(await handle(new Request(sign("GET", "none.txt")))).toHaveProperty("status", 404);
  });

  it("refuses oversize bodies, unsigned requests and other methods", async () => {
    const big = await handle(
      new Request(sign("PUT", "big.bin", "application/octet-stream"), {
        method: "PUT",
        body: "123456789",
        headers: { "content-type": "application/octet-stream" },
      }),
    );
    expect(big.status).toBe(413);
    expect(stored.has("big.bin")).toBe(false);
    expect((await handle(new Request(`${BASE}k.txt`))).status).toBe(403);
    expect((await handle(new Request(sign("GET", "k.txt"), { method: "DELETE" }))).status).toBe(
      405,
    );
  });
});
