import type { RateLimitResult } from "./cache.ts";

/**
 * SlidingLog is the in-process twin of the Redis rate-limit script (scripts.ts RATE_LIMIT): a
 * sliding-window log of accepted requests at millisecond resolution, where a request expires once
 * it is `windowMs` old and a refused request is not counted. Requests of the same millisecond
 * share one entry (time, count), and expired entries leave from the front by moving an index, so
 * a request costs O(1) however many the window holds. (A plain array of times cost a copy of the
 * whole window whenever its front expired, and one number per request: at 20k requests a second,
 * 1.2 million numbers for one busy key.)
 */
export class SlidingLog {
  windowMs: number;
  // Entries [head, times.length) are live, oldest first; the front is cut off now and then.
  readonly #times: number[] = [];
  readonly #counts: number[] = [];
  #head = 0;
  #total = 0;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  /** The time of the newest accepted request, or undefined when none is in the window. */
  get newest(): number | undefined {
    return this.#head < this.#times.length ? this.#times[this.#times.length - 1] : undefined;
  }

  /** How many entries (distinct milliseconds) the log holds, dead front included. */
  get size(): number {
    return this.#times.length;
  }

  /** count expires what is `windowMs` old at `now`, then accepts one more request if under `limit`. */
  count(now: number, limit: number): RateLimitResult {
    const windowMs = this.windowMs;
    this.#expire(now - windowMs);
    let allowed = false;
    if (this.#total < limit) {
      this.#add(now);
      allowed = true;
    }
    const times = this.#times;
    const live = this.#head < times.length;
    return {
      allowed,
      remaining: Math.max(0, limit - this.#total),
      retryAfterMs: allowed ? 0 : live ? times[this.#head]! + windowMs - now : windowMs,
      resetMs: live ? times[times.length - 1]! + windowMs - now : 0,
    };
  }

  /** #expire drops the entries at or before `cutoff` (the script's ZREMRANGEBYSCORE -inf cutoff). */
  #expire(cutoff: number): void {
    const times = this.#times;
    let head = this.#head;
    while (head < times.length && times[head]! <= cutoff) {
      this.#total -= this.#counts[head]!;
      head++;
    }
    // Cut the dead front off once it is at least half the arrays: amortised O(1) per entry.
    if (head > 64 && head * 2 >= times.length) {
      times.splice(0, head);
      this.#counts.splice(0, head);
      head = 0;
    }
    this.#head = head;
  }

  #add(now: number): void {
    const times = this.#times;
    const last = times.length - 1;
    // A clock that steps back still lands in the newest entry: the log stays in order.
    if (last >= this.#head && times[last]! >= now) this.#counts[last]! += 1;
    else {
      times.push(now);
      this.#counts.push(1);
    }
    this.#total++;
  }
}
