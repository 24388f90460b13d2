import type { Cache } from "../lib/cache/cache.ts";
import type { Logger } from "../lib/log/create-logger.ts";
import { RateLimitHeaders } from "./rate-limit-headers.ts";

const WINDOW_MS = 60_000;

/**
 * ChatMessageLimit caps the chat messages one user sends per minute, over C6 and WebSocket
 * `message` frames together (each message starts an agent run, which costs far more than a
 * request). The window lives in the cache, so every gateway instance counts the same messages.
 */
export class ChatMessageLimit {
  constructor(private readonly options: { cache: Cache; perMinute: number; log: Logger }) {}

  /** check counts one message of `userId`, or throws 429 RATE_LIMITED with Retry-After. */
  async check(userId: string): Promise<void> {
    const { cache, perMinute, log } = this.options;
    let verdict: Awaited<ReturnType<Cache["rateLimit"]>>;
    try {
      verdict = await cache.rateLimit(`ratelimit:chat:${userId}`, {
        limit: perMinute,
        windowMs: WINDOW_MS,
      });
    } catch (err) {
      // As the session guard does: without the cache nothing can be counted, and serving beats
      // refusing everyone.
      log.warn({ err }, "chat message limit unavailable; message let through");
      return;
    }
    if (verdict.allowed) return;
    throw RateLimitHeaders.of(verdict, perMinute).refusal(
      `too many chat messages: at most ${perMinute} a minute`,
      verdict.retryAfterMs,
    );
  }
}
