import { Elysia } from "elysia";
import { ApiError } from "../api-error.ts";

/**
 * bodyLimit refuses an API request whose declared body exceeds maxBytes with 413, before anything
 * reads it. Paths under `exempt` (the media upload route) have their own, larger limit.
 */
export function bodyLimit(maxBytes: number, exempt: readonly string[]) {
  const isExempt = (path: string) => exempt.some((prefix) => path.startsWith(prefix));
  /** tooLarge is true when the request declares a body over the limit on a path that has it. */
  const tooLarge = (request: Request): boolean => {
    const declared = request.headers.get("content-length");
    if (declared === null || Number(declared) <= maxBytes) return false;
    const url = request.url;
    return !isExempt(url.slice(url.indexOf("/", 8)));
  };
  return {
    tooLarge,
    // A plain function whose source Elysia reads as synchronous (see cors.ts).
    plugin: new Elysia({ name: "eco2/body-limit", seed: maxBytes }).onRequest(function limit({
      request,
    }) {
      if (!tooLarge(request)) return;
      throw new ApiError(413, "PAYLOAD_TOO_LARGE", `request body over ${maxBytes} bytes`);
    }),
  };
}
