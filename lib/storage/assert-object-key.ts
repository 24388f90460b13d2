import { InvalidObjectKeyError } from "./errors.ts";

/** Longest key accepted, in UTF-8 bytes: S3's own limit. */
const MAX_KEY_BYTES = 1024;

/**
 * assertObjectKey throws InvalidObjectKeyError unless `key` is a relative path of non-empty
 * segments separated by `/`, none of them `.` or `..`, with no backslash and no control
 * character, at most 1024 bytes. Both adapters call it first, so a key that is safe on S3 is
 * also safe as a path under the local folder, and the other way round.
 */
export function assertObjectKey(key: string): void {
  if (typeof key !== "string" || key.length === 0) {
    throw new InvalidObjectKeyError(String(key), "empty");
  }
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new InvalidObjectKeyError(key.slice(0, 40), `longer than ${MAX_KEY_BYTES} bytes`);
  }
  if (key.startsWith("/")) throw new InvalidObjectKeyError(key, "absolute");
  if (/^[A-Za-z]:/.test(key)) throw new InvalidObjectKeyError(key, "drive-absolute");
  if (key.includes("\\")) throw new InvalidObjectKeyError(key, "backslash");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects.
  if (/[\u0000-\u001f\u007f]/.test(key)) {
    throw new InvalidObjectKeyError(key, "control character");
  }
  for (const segment of key.split("/")) {
    if (segment === "") throw new InvalidObjectKeyError(key, "empty path segment");
    if (segment === "." || segment === "..") {
      throw new InvalidObjectKeyError(key, `'${segment}' segment`);
    }
  }
}
