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
  StreamAppendEntry,
  StreamAppendOptions,
  StreamRangeOptions,
} from "./cache.ts";
import { CacheUnavailableError } from "./errors.ts";
import { KeyMemo } from "./key-memo.ts";
import {
  type MemoryCacheStore,
  type MemoryStream,
  type MemorySubscription,
  processMemoryStore,
} from "./memory-cache-store.ts";
import { SlidingLog } from "./sliding-log.ts";
import { checkStreamArguments, compareStreamIds } from "./stream-ids.ts";

export interface MemoryCacheOptions {
  /** Prefix of every key and channel. Default "". */
  keyPrefix?: string;
  /**
   * The data it works on. Default: the process's shared store, so every in-process cache of the
   * process sees the same keys and channels, as clients of one Redis do. Pass a
   * `new MemoryCacheStore()` for a private one.
   */
  store?: MemoryCacheStore;
  log: Logger;
}

let nextCacheId = 1;

/**
 * createMemoryCache is the embedded `Cache`: no server, the same contract as Redis, within one
 * process. Every operation runs to completion without yielding, which makes compare-and-set and
 * the rate limiter atomic; TTLs expire on read and by a periodic sweep; pub/sub fans out to every
 * subscriber of the store, asynchronously as Redis would. State is lost when the process ends.
 * `close()` ends this cache's subscriptions and calls; the shared data stays for the others.
 */
export function createMemoryCache(options: MemoryCacheOptions): Cache {
  const prefix = options.keyPrefix ?? "";
  const { log } = options;
  const store = options.store ?? processMemoryStore;
  const cacheId = nextCacheId++;
  const mine = new Set<{ channel: string; subscription: MemorySubscription }>();
  let closed = false;
  store.attach();

  const open = () => {
    if (closed) throw new CacheUnavailableError("cache closed");
  };
  // A busy caller's rate-limit key comes back on every request: its prefixed form is remembered.
  const windowKeys = new KeyMemo((key) => prefix + key);
  const expiry = (ttlMs: number | undefined) =>
    ttlMs !== undefined && ttlMs > 0 ? Date.now() + ttlMs : undefined;

  return {
    kind: "memory",
    async get(key) {
      open();
      return store.live(prefix + key)?.value ?? null;
    },
    async set(key, value, opts?: SetOptions) {
      open();
      // As Redis SET, it replaces a key of any type.
      store.remove(prefix + key);
      store.strings.set(prefix + key, { value, expiresAt: expiry(opts?.ttlMs) });
    },
    async del(key) {
      open();
      return store.remove(prefix + key);
    },
    async setIfAbsent(key, value, ttlMs) {
      open();
      if (store.exists(prefix + key)) return false;
      store.strings.set(prefix + key, { value, expiresAt: expiry(ttlMs) });
      return true;
    },
    async compareAndSet(key, expected, next, opts?: CompareAndSetOptions) {
      open();
      const current = store.live(prefix + key);
      if (expected === null ? current !== undefined : current?.value !== expected) return false;
      const expiresAt = opts?.ttlMs ? expiry(opts.ttlMs) : current?.expiresAt;
      store.strings.set(prefix + key, { value: next, expiresAt });
      return true;
    },
    async rateLimit(key, options: RateLimitOptions): Promise<RateLimitResult> {
      open();
      return countIn(store, windowKeys.of(key), options);
    },
    rateLimitNow(key, options: RateLimitOptions): RateLimitResult {
      open();
      return countIn(store, windowKeys.of(key), options);
    },
    async publish(channel, message) {
      open();
      const subscriptions = [...(store.channels.get(prefix + channel) ?? [])];
      // Delivered after publish resolves, like a message arriving over Redis.
      setTimeout(() => {
        for (const { handler } of subscriptions) {
          try {
            handler(message);
          } catch (err) {
            log.error({ err, channel }, "cache subscriber failed");
          }
        }
      }, 0);
      // Like Redis: the number of subscribing connections (caches), not of handlers.
      return new Set(subscriptions.map((s) => s.cacheId)).size;
    },
    async subscribe(channel, onMessage: MessageHandler) {
      open();
      const full = prefix + channel;
      // A wrapper per subscription, so subscribing one function twice gives two independent ones.
      const subscription: MemorySubscription = { cacheId, handler: (m) => onMessage(m) };
      const set = store.channels.get(full) ?? new Set<MemorySubscription>();
      set.add(subscription);
      store.channels.set(full, set);
      const entry = { channel: full, subscription };
      mine.add(entry);
      return async () => {
        mine.delete(entry);
        unsubscribe(store, full, subscription);
      };
    },
    async streamAppendUnique(
      key,
      entries: readonly StreamAppendEntry[],
      opts: StreamAppendOptions,
    ) {
      open();
      checkStreamArguments(entries, undefined);
      const full = prefix + key;
      const stream = store.liveStream(full) ?? newStream();
      const ids: string[] = [];
      for (const { unique, fields } of entries) {
        if (stream.uniques.has(unique)) continue;
        stream.uniques.add(unique);
        const id = nextStreamId(stream);
        stream.entries.push({ id, fields: { ...fields } });
        ids.push(id);
      }
      if (opts.maxLen && stream.entries.length > opts.maxLen) {
        stream.entries.splice(0, stream.entries.length - opts.maxLen);
      }
      if (ids.length > 0) {
        stream.expiresAt = Date.now() + opts.ttlMs;
        // As Redis XADD, it takes the key over from a value of another type.
        if (!store.streams.has(full)) store.remove(full);
        store.streams.set(full, stream);
      }
      return ids;
    },
    async streamRange(key, opts: StreamRangeOptions) {
      open();
      checkStreamArguments(undefined, opts.after);
      const entries = store.liveStream(prefix + key)?.entries ?? [];
      const { after } = opts;
      const start =
        after === undefined ? 0 : entries.findIndex((e) => compareStreamIds(e.id, after) > 0);
      if (start < 0) return [];
      return entries
        .slice(start, start + opts.count)
        .map(({ id, fields }) => ({ id, fields: { ...fields } }));
    },
    async zAdd(key, members: readonly ScoredMember[]) {
      open();
      const set = store.sortedSets.get(prefix + key) ?? new Map<string, number>();
      let added = 0;
      for (const { value, score } of members) {
        if (!set.has(value)) added++;
        set.set(value, score);
      }
      store.sortedSets.set(prefix + key, set);
      return added;
    },
    async zRangeByScoreDesc(key, opts: RangeByScoreOptions) {
      open();
      const max = opts.max ?? Number.POSITIVE_INFINITY;
      const min = opts.min ?? Number.NEGATIVE_INFINITY;
      const offset = opts.offset ?? 0;
      const set = store.sortedSets.get(prefix + key);
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
      const set = store.sortedSets.get(prefix + key);
      if (!set) return 0;
      let removed = 0;
      for (const value of values) if (set.delete(value)) removed++;
      if (set.size === 0) store.sortedSets.delete(prefix + key);
      return removed;
    },
    async zCard(key) {
      open();
      return store.sortedSets.get(prefix + key)?.size ?? 0;
    },
    async ping() {
      open();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const { channel, subscription } of mine) unsubscribe(store, channel, subscription);
      mine.clear();
      store.detach();
    },
  };
}

/**
 * countIn counts one request in the sliding window under a full key, as the Redis script does:
 * refused requests are not counted.
 */
function countIn(
  store: MemoryCacheStore,
  full: string,
  { limit, windowMs }: RateLimitOptions,
): RateLimitResult {
  let log = store.windows.get(full);
  if (log === undefined) {
    log = new SlidingLog(windowMs);
    store.windows.set(full, log);
  } else log.windowMs = windowMs;
  return log.count(Date.now(), limit);
}

function newStream(): MemoryStream {
  return { entries: [], uniques: new Set(), lastMs: 0, lastSeq: -1, expiresAt: 0 };
}

/** nextStreamId makes ids as Redis XADD * does: `<ms>-<n>`, n counting within one millisecond. */
function nextStreamId(stream: MemoryStream): string {
  const now = Date.now();
  if (now > stream.lastMs) {
    stream.lastMs = now;
    stream.lastSeq = 0;
  } else {
    stream.lastSeq++;
  }
  return `${stream.lastMs}-${stream.lastSeq}`;
}

function unsubscribe(store: MemoryCacheStore, channel: string, subscription: MemorySubscription) {
  const set = store.channels.get(channel);
  set?.delete(subscription);
  if (set?.size === 0) store.channels.delete(channel);
}
