import { Elysia } from "elysia";
import { ApiError } from "../api-error.ts";

/**
 * bodyLimit refuses an API request whose declared body exceeds maxBytes with 413, before anything
 * reads it. Paths under `exempt` (the media upload route) have their own, larger limit.
 */
export function bodyLimit(maxBytes: number, exempt: readonly string[]) {
  return new Elysia({ name: "eco2/body-limit", seed: maxBytes }).onRequest(({ request }) => {
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared <= maxBytes) return;
    const path = request.url.slice(request.url.indexOf("/", 8));
    if (exempt.some((prefix) => path.startsWith(prefix))) return;
    throw new ApiError(413, "PAYLOAD_TOO_LARGE", `request body over ${maxBytes} bytes`);
  });
}
