import type { Logger } from "../log/create-logger.ts";
import type {
  Cache,
  CompareAndSetOptions,
  MessageHandler,
  RangeByScoreOptions,
  RateLimitOptions,
  RateLimitResult,
  ScoredMember,
  SetOptions,
} from "./cache.ts";
import { CacheUnavailableError } from "./errors.ts";

export interface MemoryCacheOptions {
  /** Prefix of every key and channel. Default "". */
  keyPrefix?: string;
  /** How often expired keys are swept (they are also dropped when read). Default 1000 ms. */
  sweepIntervalMs?: number;
  log: Logger;
}

interface Entry {
  value: string;
  /** Epoch ms, or undefined for no expiry. */
  expiresAt: number | undefined;
}

/**
 * createMemoryCache is the embedded `Cache`: one process, no server, the same contract as Redis.
 * Every operation runs to completion without yielding, which makes compare-and-set and the rate
 * limiter atomic; TTLs expire on read and by a periodic sweep; pub/sub fans out to every
 * subscriber in this process, asynchronously as Redis would. State is lost when the process ends.
 */
export function createMemoryCache(options: MemoryCacheOptions): Cache {
  const prefix = options.keyPrefix ?? "";
  const { log } = options;
  const strings = new Map<string, Entry>();
  const sortedSets = new Map<string, Map<string, number>>();
  const windows = new Map<string, { times: number[]; windowMs: number }>();
  const channels = new Map<string, Set<MessageHandler>>();
  let closed = false;

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [key, entry] of strings) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) strings.delete(key);
    }
    for (const [key, { times, windowMs }] of windows) {
      if ((times.at(-1) ?? 0) <= now - windowMs) windows.delete(key);
    }
  }, options.sweepIntervalMs ?? 1000);
  // The sweep must not keep the process alive on its own.
  sweep.unref?.();

  const open = () => {
    if (closed) throw new CacheUnavailableError("cache closed");
  };
  const live = (key: string): Entry | undefined => {
    const entry = strings.get(prefix + key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      strings.delete(prefix + key);
      return undefined;
    }
    return entry;
  };
  const expiry = (ttlMs: number | undefined) =>
    ttlMs !== undefined && ttlMs > 0 ? Date.now() + ttlMs : undefined;

  return {
    kind: "memory",
    async get(key) {
      open();
      return live(key)?.value ?? null;
    },
    async set(key, value, opts?: SetOptions) {
      open();
      // As Redis SET, it replaces a key of any type.
      sortedSets.delete(prefix + key);
      windows.delete(prefix + key);
      strings.set(prefix + key, { value, expiresAt: expiry(opts?.ttlMs) });
    },
    async del(key) {
      open();
      const existed = live(key) !== undefined || sortedSets.has(prefix + key);
      strings.delete(prefix + key);
      sortedSets.delete(prefix + key);
      windows.delete(prefix + key);
      return existed;
    },
    async setIfAbsent(key, value, ttlMs) {
      open();
      if (live(key) || sortedSets.has(prefix + key) || windows.has(prefix + key)) return false;
      strings.set(prefix + key, { value, expiresAt: expiry(ttlMs) });
      return true;
    },
    async compareAndSet(key, expected, next, opts?: CompareAndSetOptions) {
      open();
      const current = live(key);
      if (expected === null ? current !== undefined : current?.value !== expected) return false;
      const expiresAt = opts?.ttlMs ? expiry(opts.ttlMs) : current?.expiresAt;
      strings.set(prefix + key, { value: next, expiresAt });
      return true;
    },
    async rateLimit(key, { limit, windowMs }: RateLimitOptions): Promise<RateLimitResult> {
      open();
      const now = Date.now();
      const times = (windows.get(prefix + key)?.times ?? []).filter((t) => t > now - windowMs);
      let allowed = false;
      if (times.length < limit) {
        times.push(now);
        allowed = true;
      }
      windows.set(prefix + key, { times, windowMs });
      const oldest = times[0];
      const newest = times.at(-1);
      return {
        allowed,
        remaining: Math.max(0, limit - times.length),
        retryAfterMs: allowed ? 0 : oldest === undefined ? windowMs : oldest + windowMs - now,
        resetMs: newest === undefined ? 0 : newest + windowMs - now,
      };
    },
    async publish(channel, message) {
      open();
      const handlers = [...(channels.get(prefix + channel) ?? [])];
      // Delivered after publish resolves, like a message arriving over Redis.
      setTimeout(() => {
        for (const handler of handlers) {
          try {
            handler(message);
          } catch (err) {
            log.error({ err, channel }, "cache subscriber failed");
          }
        }
      }, 0);
      // This process is the one subscriber connection, however many handlers it has.
      return handlers.length > 0 ? 1 : 0;
    },
    async subscribe(channel, onMessage) {
      open();
      // A wrapper per subscription, so subscribing one function twice gives two independent ones.
      const handler: MessageHandler = (message) => onMessage(message);
      const set = channels.get(prefix + channel) ?? new Set<MessageHandler>();
      set.add(handler);
      channels.set(prefix + channel, set);
      return async () => {
        set.delete(handler);
        if (set.size === 0 && channels.get(prefix + channel) === set) {
          channels.delete(prefix + channel);
        }
      };
    },
    async zAdd(key, members: readonly ScoredMember[]) {
      open();
      const set = sortedSets.get(prefix + key) ?? new Map<string, number>();
      let added = 0;
      for (const { value, score } of members) {
        if (!set.has(value)) added++;
        set.set(value, score);
      }
      sortedSets.set(prefix + key, set);
      return added;
    },
    async zRangeByScoreDesc(key, opts: RangeByScoreOptions) {
      open();
      const max = opts.max ?? Number.POSITIVE_INFINITY;
      const min = opts.min ?? Number.NEGATIVE_INFINITY;
      const offset = opts.offset ?? 0;
      const set = sortedSets.get(prefix + key);
      if (!set) return [];
      // Redis orders equal scores by member, descending in a REV range.
      return [...set]
        .filter(([, score]) => score <= max && score >= min)
        .sort(([va, sa], [vb, sb]) => sb - sa || (vb > va ? 1 : vb < va ? -1 : 0))
        .slice(offset, offset + opts.limit)
        .map(([value, score]) => ({ value, score }));
    },
    async zRem(key, values) {
      open();
      const set = sortedSets.get(prefix + key);
      if (!set) return 0;
      let removed = 0;
      for (const value of values) if (set.delete(value)) removed++;
      if (set.size === 0) sortedSets.delete(prefix + key);
      return removed;
    },
    async zCard(key) {
      open();
      return sortedSets.get(prefix + key)?.size ?? 0;
    },
    async ping() {
      open();
    },
    async close() {
      closed = true;
      clearInterval(sweep);
      channels.clear();
    },
  };
}
