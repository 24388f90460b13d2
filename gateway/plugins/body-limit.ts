import { Elysia } from "elysia";
import { ApiError } from "../api-error.ts";

/**
 * bodyLimit refuses an API request whose declared body exceeds maxBytes with 413, before anything
 * reads it. Paths under `exempt` (the media upload route) have their own, larger limit.
 */
export function bodyLimit(maxBytes: number, exempt: readonly string[]) {
  const isExempt = (path: string) => exempt.some((prefix) => path.startsWith(prefix));
  // A plain function whose source Elysia reads as synchronous (see cors.ts).
  return new Elysia({ name: "eco2/body-limit", seed: maxBytes }).onRequest(function limit({
    request,
  }) {
    const declared = request.headers.get("content-length");
    if (declared === null || Number(declared) <= maxBytes) return;
    const url = request.url;
    if (isExempt(url.slice(url.indexOf("/", 8)))) return;
    throw new ApiError(413, "PAYLOAD_TOO_LARGE", `request body over ${maxBytes} bytes`);
  });
}
