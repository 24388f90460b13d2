import { createHmac, timingSafeEqual } from "node:crypto";
import { assertObjectKey } from "./assert-object-key.ts";

export type SignedMethod = "GET" | "PUT";

export interface SignUrlOptions {
  /** The public URL of the media route, ending in `/`, e.g. `http://localhost:8000/media/`. */
  publicBaseUrl: string;
  secret: string;
  method: SignedMethod;
  key: string;
  expiresInSec: number;
  /** PUT only: the content type the upload must carry. */
  contentType?: string;
  /** Epoch ms taken as now. Default `Date.now()`. */
  now?: number;
}

/**
 * signUrl makes a local-store URL: `<publicBaseUrl><key, each segment percent-encoded>` with
 * query `method`, `expires` (epoch seconds), `ct` (PUT) and `sig`, the hex HMAC-SHA256 over
 * method, key, expiry and content type with the store's secret.
 */
export function signUrl(options: SignUrlOptions): string {
  assertObjectKey(options.key);
  // Rounded up, so a URL is valid for at least `expiresInSec`.
  const expires = Math.ceil(((options.now ?? Date.now()) + options.expiresInSec * 1000) / 1000);
  const contentType = options.method === "PUT" ? (options.contentType ?? "") : "";
  const url = new URL(encodeKey(options.key), options.publicBaseUrl);
  url.searchParams.set("method", options.method);
  url.searchParams.set("expires", String(expires));
  if (contentType) url.searchParams.set("ct", contentType);
  url.searchParams.set(
    "sig",
    signature(options.secret, options.method, options.key, expires, contentType),
  );
  return url.toString();
}

export interface VerifySignedUrlOptions {
  secret: string;
  /** The path prefix the media route is mounted on, e.g. `/media/`. */
  basePath: string;
  /** The request's method. */
  method: string;
  /** PUT: the request's Content-Type header, which must equal the signed one. */
  contentType?: string | null;
  /** Epoch ms taken as now. Default `Date.now()`. */
  now?: number;
}

export type VerifySignedUrlResult =
  | { readonly ok: true; readonly key: string; readonly contentType: string }
  | {
      readonly ok: false;
      readonly reason: "malformed" | "bad-signature" | "expired" | "wrong-method" | "wrong-type";
    };

/**
 * verifySignedUrl checks a request URL made by `signUrl` (the gateway's media route calls it):
 * the key is read from the path under `basePath` and must be a valid object key, the signature
 * must match (compared in constant time), the method must be the signed one, the URL must not
 * have expired, and a PUT must carry the signed content type. A failed check says why, for the
 * log; the route answers 403 whatever the reason.
 */
export function verifySignedUrl(
  url: string | URL,
  options: VerifySignedUrlOptions,
): VerifySignedUrlResult {
  const parsed = typeof url === "string" ? new URL(url, "http://localhost") : url;
  if (!parsed.pathname.startsWith(options.basePath)) return { ok: false, reason: "malformed" };
  let key: string;
  try {
    key = parsed.pathname
      .slice(options.basePath.length)
      .split("/")
      .map(decodeURIComponent)
      .join("/");
    assertObjectKey(key);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const method = parsed.searchParams.get("method");
  const expires = Number(parsed.searchParams.get("expires"));
  const contentType = parsed.searchParams.get("ct") ?? "";
  const given = parsed.searchParams.get("sig") ?? "";
  if ((method !== "GET" && method !== "PUT") || !Number.isInteger(expires) || !given) {
    return { ok: false, reason: "malformed" };
  }
  const expected = Buffer.from(signature(options.secret, method, key, expires, contentType));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    return { ok: false, reason: "bad-signature" };
  }
  // HEAD rides on a GET URL, as on S3.
  const requestMethod =
    options.method.toUpperCase() === "HEAD" ? "GET" : options.method.toUpperCase();
  if (requestMethod !== method) return { ok: false, reason: "wrong-method" };
  if ((options.now ?? Date.now()) > expires * 1000) {
    return { ok: false, reason: "expired" };
  }
  if (method === "PUT" && (options.contentType ?? "") !== contentType) {
    return { ok: false, reason: "wrong-type" };
  }
  return { ok: true, key, contentType };
}

function signature(
  secret: string,
  method: string,
  key: string,
  expires: number,
  contentType: string,
): string {
  return createHmac("sha256", secret)
    .update(`${method}\n${key}\n${expires}\n${contentType}`)
    .digest("hex");
}

function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}
