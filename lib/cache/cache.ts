/** Options of a write that may expire. */
export interface SetOptions {
  /** Time to live in milliseconds; unset = no expiry. */
  ttlMs?: number;
}

export interface CompareAndSetOptions {
  /** New time to live in milliseconds; unset = keep the key's current expiry (KEEPTTL). */
  ttlMs?: number;
}

export interface RateLimitOptions {
  /** Requests allowed per window. */
  limit: number;
  /** The sliding window, in milliseconds. */
  windowMs: number;
}

/** The verdict of one `rateLimit` call. */
export interface RateLimitResult {
  /** Whether this request is within the limit (and was counted). */
  readonly allowed: boolean;
  /** Requests still allowed in the current window after this one. */
  readonly remaining: number;
  /** 0 when allowed; else milliseconds until one more request would be allowed (Retry-After). */
  readonly retryAfterMs: number;
  /** Milliseconds until the window holds no counted requests (the full limit is back). */
  readonly resetMs: number;
}

/** A member of a sorted set with its score (e.g. a feed item id scored by time). */
export interface ScoredMember {
  readonly value: string;
  readonly score: number;
}

export interface RangeByScoreOptions {
  /** Highest score included. Default +infinity. */
  max?: number;
  /** Lowest score included. Default -infinity. */
  min?: number;
  /** Most members returned. */
  limit: number;
  /** Members skipped first. Default 0. */
  offset?: number;
}

/** One entry to append to a stream: its dedupe identity and its fields. */
export interface StreamAppendEntry {
  /** The entry's identity in the stream: an entry whose `unique` the stream holds is skipped. */
  readonly unique: string;
  /** At least one field. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface StreamAppendOptions {
  /** The stream (and its record of uniques) expires this long after the last append. */
  ttlMs: number;
  /** Keep at most this many entries (the oldest are trimmed; their uniques are still remembered). */
  maxLen?: number;
}

export interface StreamRangeOptions {
  /** Only entries with an id greater than this one (a stream id `<ms>-<n>`). Default: from the start. */
  after?: string;
  /** Most entries returned. */
  count: number;
}

/** A stream entry: its id (`<ms>-<n>`, increasing within the stream) and its fields. */
export interface StreamEntry {
  readonly id: string;
  readonly fields: Record<string, string>;
}

/** MessageHandler receives one pub/sub message; it must not throw (errors are logged and dropped). */
export type MessageHandler = (message: string) => void;

/**
 * Cache is the port to Redis, with an in-process adapter honouring the same contract. Every key
 * and channel is prefixed with the cache's `keyPrefix`. Values are strings (callers encode).
 * Every call rejects with `CacheUnavailableError` when the server cannot be reached or does not
 * answer within the command timeout; it never queues while disconnected.
 */
export interface Cache {
  readonly kind: "redis" | "memory";
  get(key: string): Promise<string | null>;
  /** set writes the value; without `ttlMs` any previous expiry is cleared. */
  set(key: string, value: string, options?: SetOptions): Promise<void>;
  /** del removes the key of any type; true if it existed. */
  del(key: string): Promise<boolean>;
  /** setIfAbsent writes only when the key does not exist (idempotency keys, locks); true if written. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * compareAndSet atomically replaces the value only if it currently equals `expected`
   * (`null` = the key must not exist); true if replaced.
   */
  compareAndSet(
    key: string,
    expected: string | null,
    next: string,
    options?: CompareAndSetOptions,
  ): Promise<boolean>;
  /**
   * rateLimit counts one request against `key` in a sliding window of `windowMs`, atomically
   * (one Lua script on Redis, using the server's clock so all replicas agree). Refused requests
   * are not counted, so a client that keeps retrying is not locked out for longer.
   */
  rateLimit(key: string, options: RateLimitOptions): Promise<RateLimitResult>;
  /**
   * rateLimitNow is `rateLimit` answered without a promise, present only where the windows live
   * in this process (the in-process adapter): the same window, counting and verdict, shared with
   * `rateLimit` calls on the same key. Adapters whose windows live on a server (Redis, shared by
   * every replica) leave it undefined; callers then use `rateLimit`. Throws where `rateLimit`
   * would reject.
   */
  readonly rateLimitNow?: (key: string, options: RateLimitOptions) => RateLimitResult;
  /**
   * publish sends to every current subscriber of the channel. Resolves to the number of
   * subscribing processes (Redis: subscriber connections; each cache has one) — 0 when nobody
   * listens.
   */
  publish(channel: string, message: string): Promise<number>;
  /**
   * subscribe calls `onMessage` for each later message on the channel, until the returned
   * function is called. On Redis a dedicated connection carries subscriptions and re-subscribes
   * after a reconnect; messages published while it is disconnected are lost (pub/sub is
   * fire-and-forget; keep replayable state in a key).
   */
  subscribe(channel: string, onMessage: MessageHandler): Promise<() => Promise<void>>;
  /** zAdd adds or re-scores members; resolves to how many were new. */
  zAdd(key: string, members: readonly ScoredMember[]): Promise<number>;
  /** zRangeByScoreDesc reads members from the highest score down (newest first for time scores). */
  zRangeByScoreDesc(key: string, options: RangeByScoreOptions): Promise<ScoredMember[]>;
  /** zRem removes members; resolves to how many existed. */
  zRem(key: string, values: readonly string[]): Promise<number>;
  /** zCard counts a sorted set's members (0 when the key does not exist). */
  zCard(key: string): Promise<number>;
  /**
   * streamAppendUnique appends entries to a stream in order, skipping any whose `unique` the
   * stream already holds (also a repeat within the batch), atomically (one Lua script on Redis).
   * Resolves to the ids of the entries appended. Uniques live as long as the stream: once it
   * expires or is deleted, a unique may be appended again.
   */
  streamAppendUnique(
    key: string,
    entries: readonly StreamAppendEntry[],
    options: StreamAppendOptions,
  ): Promise<string[]>;
  /** streamRange reads entries after `after` (exclusive), oldest first. */
  streamRange(key: string, options: StreamRangeOptions): Promise<StreamEntry[]>;
  /** ping resolves when the cache answers (readiness). */
  ping(): Promise<void>;
  /** close ends connections and subscriptions; later calls reject with CacheUnavailableError. */
  close(): Promise<void>;
}
