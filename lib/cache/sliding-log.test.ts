import { describe, expect, it } from "bun:test";
import { SlidingLog } from "./sliding-log.ts";

/** The Redis script's answer, computed the slow way from a plain list of accepted times. */
function reference(accepted: number[], now: number, limit: number, windowMs: number) {
  const live = accepted.filter((t) => t > now - windowMs);
  accepted.splice(0, accepted.length, ...live);
  const allowed = live.length < limit;
  if (allowed) accepted.push(now);
  return {
    allowed,
    remaining: Math.max(0, limit - accepted.length),
    retryAfterMs: allowed ? 0 : accepted.length ? accepted[0]! + windowMs - now : windowMs,
    resetMs: accepted.length ? accepted.at(-1)! + windowMs - now : 0,
  };
}

describe("SlidingLog", () => {
  it("answers as the sliding-window script does, request by request", () => {
    const windowMs = 1000;
    const limit = 50;
    const log = new SlidingLog(windowMs);
    const accepted: number[] = [];
    let now = 1_000_000;
    // Bursts in one millisecond, gaps longer than the window, and everything between.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 20_000; i++) {
      const step = random();
      now +=
        step < 0.5 ? 0 : step < 0.95 ? Math.floor(random() * 40) : 900 + Math.floor(random() * 300);
      expect(log.count(now, limit)).toEqual(reference(accepted, now, limit, windowMs));
    }
  });

  it("expires a request exactly windowMs after it, and never counts a refused one", () => {
    const log = new SlidingLog(100);
    expect(log.count(0, 2)).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0, resetMs: 100 });
    expect(log.count(10, 2).remaining).toBe(0);
    expect(log.count(50, 2)).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterMs: 50,
      resetMs: 60,
    });
    // At 100 the request of 0 is windowMs old: gone, so one place is free again.
    expect(log.count(100, 2)).toEqual({
      allowed: true,
      remaining: 0,
      retryAfterMs: 0,
      resetMs: 100,
    });
    expect(log.newest).toBe(100);
    expect(log.count(300, 2).remaining).toBe(1);
  });

  it("keeps one entry per millisecond and drops its dead front, so a busy key stays small", () => {
    const log = new SlidingLog(60_000);
    // 20 requests in every millisecond for two minutes: 2.4 million requests.
    for (let ms = 0; ms < 120_000; ms++) {
      for (let k = 0; k < 20; k++) log.count(ms, 1e9);
    }
    const result = log.count(120_000, 1e9);
    // The window holds (120000 - 60000, 120000]: 59,999 full milliseconds plus this request.
    expect(result.remaining).toBe(1e9 - (59_999 * 20 + 1));
    expect(log.size).toBeLessThanOrEqual(2 * 60_001);
  });
});
