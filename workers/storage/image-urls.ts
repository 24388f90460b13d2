import { assertObjectKey } from "../../lib/storage/assert-object-key.ts";
import type { ObjectStore } from "../../lib/storage/object-store.ts";

/**
 * How long a `cdn_url` without a CDN stays valid: seven days, the longest an S3 presigned URL may
 * live. With CDN_BASE_URL set, URLs do not expire.
 */
export const SIGNED_IMAGE_URL_SECONDS = 7 * 24 * 60 * 60;

/** ImageUrls is the one place that turns keys into public URLs and our URLs back into keys. */
export interface ImageUrls {
  /** urlOf is where the object under `key` is served to clients. */
  urlOf(key: string): Promise<string>;
  /** keyOf reads the key out of one of our URLs; undefined for any other URL. */
  keyOf(url: string): string | undefined;
}

export interface ImageUrlsOptions {
  readonly objects: ObjectStore;
  /** CONTRACT §A.11: `cdn_url` is `<CDN_BASE_URL>/<key>` when set. */
  readonly cdnBaseUrl?: string;
}

/**
 * createImageUrls knows two prefixes as ours: the CDN base (when set) and the object store's own
 * URLs (the gateway's /media/ route on the local store, the bucket's URL on S3). The store's
 * prefix is read off a URL it signs, so this code never restates how either store spells URLs.
 */
export async function createImageUrls(options: ImageUrlsOptions): Promise<ImageUrls> {
  const probe = "probe/key";
  const signed = new URL(await options.objects.presignGet(probe, { expiresInSec: 1 }));
  const storePrefix = new URL(signed.origin + signed.pathname.slice(0, -probe.length));
  const cdn = options.cdnBaseUrl ? new URL(`${options.cdnBaseUrl.replace(/\/+$/, "")}/`) : null;
  const prefixes = cdn ? [cdn, storePrefix] : [storePrefix];
  return {
    async urlOf(key) {
      if (cdn) return new URL(encodeKey(key), cdn).toString();
      return options.objects.presignGet(key, { expiresInSec: SIGNED_IMAGE_URL_SECONDS });
    },
    keyOf(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return undefined;
      }
      const prefix = prefixes.find(
        (p) => p.origin === parsed.origin && parsed.pathname.startsWith(p.pathname),
      );
      if (!prefix) return undefined;
      return keyIn(parsed.pathname.slice(prefix.pathname.length));
    },
  };
}

/** keyIn decodes a URL path into an object key, or undefined when it is no valid key. */
function keyIn(path: string): string | undefined {
  try {
    const key = path.split("/").map(decodeURIComponent).join("/");
    assertObjectKey(key);
    return key;
  } catch {
    return undefined;
  }
}

function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}
