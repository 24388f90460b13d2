// The RateLimit headers (draft-ietf-httpapi-ratelimit-headers) every limited answer carries, and
// the 429 that refuses past a limit: one place for their names and how they are written.
import type { RateLimitResult } from "../lib/cache/cache.ts";
import { ApiError } from "./api-error.ts";

export const RATE_LIMIT_LIMIT = "ratelimit-limit";
export const RATE_LIMIT_REMAINING = "ratelimit-remaining";
export const RATE_LIMIT_RESET = "ratelimit-reset";

/**
 * RateLimitHeaders are the values of an answer's RateLimit-Limit, -Remaining and -Reset headers
 * (seconds). A class, not a record of header names: the edge reads its three fields by name.
 */
export class RateLimitHeaders {
  constructor(
    readonly limit: number,
    readonly remaining: number,
    readonly reset: number,
  ) {}

  /** of reads a window's count as the headers of a request counted against `limit`. */
  static of(verdict: RateLimitResult, limit: number): RateLimitHeaders {
    return new RateLimitHeaders(limit, verdict.remaining, Math.ceil(verdict.resetMs / 1000));
  }

  /** set puts the three headers on `headers`. */
  set(headers: Headers): void {
    headers.set(RATE_LIMIT_LIMIT, String(this.limit));
    headers.set(RATE_LIMIT_REMAINING, String(this.remaining));
    headers.set(RATE_LIMIT_RESET, String(this.reset));
  }

  /** refusal is the 429 past the limit, with these headers and Retry-After. */
  refusal(message: string, retryAfterMs: number): ApiError {
    return new ApiError(429, "RATE_LIMITED", message, {
      [RATE_LIMIT_LIMIT]: String(this.limit),
      [RATE_LIMIT_REMAINING]: String(this.remaining),
      [RATE_LIMIT_RESET]: String(this.reset),
      "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
    });
  }
}
