import type { MessageHandler } from "./cache.ts";
import type { SlidingLog } from "./sliding-log.ts";

/** A string value and when it expires (epoch ms; undefined = never). */
export interface MemoryEntry {
  value: string;
  expiresAt: number | undefined;
}

/** A stream: its entries in id order, the uniques it holds, its last id and its expiry. */
export interface MemoryStream {
  readonly entries: { id: string; fields: Record<string, string> }[];
  readonly uniques: Set<string>;
  lastMs: number;
  lastSeq: number;
  expiresAt: number;
}

/** One subscription: which cache (connection) holds it, and its handler. */
export interface MemorySubscription {
  readonly cacheId: number;
  readonly handler: MessageHandler;
}

/**
 * MemoryCacheStore is the data of the in-process cache: what a Redis server holds. Every
 * `createMemoryCache` of a process shares one store by default, as every client of one Redis
 * shares its keys and channels — so in the all-in-one start the auth service's revocation
 * entries are the gateway's too. Keys are full (prefixed) keys. Expired entries are dropped when
 * read and by a sweep that runs only while some cache is attached.
 */
export class MemoryCacheStore {
  readonly strings = new Map<string, MemoryEntry>();
  readonly sortedSets = new Map<string, Map<string, number>>();
  readonly windows = new Map<string, SlidingLog>();
  readonly streams = new Map<string, MemoryStream>();
  readonly channels = new Map<string, Set<MemorySubscription>>();
  #attached = 0;
  #sweep: ReturnType<typeof setInterval> | undefined;
  readonly #sweepIntervalMs: number;

  /** @param sweepIntervalMs how often expired entries are swept. Default 1000 ms. */
  constructor(sweepIntervalMs = 1000) {
    this.#sweepIntervalMs = sweepIntervalMs;
  }

  /** attach counts a cache in; the first starts the sweep. */
  attach(): void {
    if (this.#attached++ > 0) return;
    this.#sweep = setInterval(() => this.sweep(), this.#sweepIntervalMs);
    // The sweep must not keep the process alive on its own.
    this.#sweep.unref?.();
  }

  /** detach counts a cache out; the last stops the sweep. */
  detach(): void {
    if (--this.#attached > 0) return;
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  /** sweep drops every expired entry and limiter window now. */
  sweep(now = Date.now()): void {
    for (const [key, entry] of this.strings) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.strings.delete(key);
    }
    for (const [key, log] of this.windows) {
      if ((log.newest ?? 0) <= now - log.windowMs) this.windows.delete(key);
    }
    for (const [key, stream] of this.streams) {
      if (stream.expiresAt <= now) this.streams.delete(key);
    }
  }

  /** liveStream returns the unexpired stream under a full key, dropping an expired one. */
  liveStream(key: string): MemoryStream | undefined {
    const stream = this.streams.get(key);
    if (stream && stream.expiresAt <= Date.now()) {
      this.streams.delete(key);
      return undefined;
    }
    return stream;
  }

  /** live returns the unexpired entry under a full key, dropping an expired one. */
  live(key: string): MemoryEntry | undefined {
    const entry = this.strings.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.strings.delete(key);
      return undefined;
    }
    return entry;
  }

  /** exists is true when a key of any type is present (as Redis EXISTS). */
  exists(key: string): boolean {
    return (
      this.live(key) !== undefined ||
      this.sortedSets.has(key) ||
      this.windows.has(key) ||
      this.liveStream(key) !== undefined
    );
  }

  /** remove deletes a key of any type; true if one existed. */
  remove(key: string): boolean {
    const existed = this.exists(key);
    this.strings.delete(key);
    this.sortedSets.delete(key);
    this.windows.delete(key);
    this.streams.delete(key);
    return existed;
  }
}

/** The process's store, shared by every in-process cache that is not given its own. */
export const processMemoryStore = new MemoryCacheStore();
