import type { Logger } from "../log/create-logger.ts";
import type { Cache } from "./cache.ts";
import { createMemoryCache } from "./create-memory-cache.ts";
import { createRedisCache } from "./create-redis-cache.ts";

export interface OpenCacheOptions {
  /** A Redis URL. Unset: the in-process cache (one process only; nothing survives a restart). */
  url?: string;
  /** Prefix of every key and channel, e.g. `eco2:auth:`. Default "". */
  keyPrefix?: string;
  /** Redis only: a command not answered within this fails with CacheUnavailableError. Default 1000 ms. */
  commandTimeoutMs?: number;
  /** Redis only: how long the first connection may take. Default 5000 ms. */
  connectTimeoutMs?: number;
  log: Logger;
}

/**
 * openCache gives the process its cache: Redis when `url` is set, else the in-process adapter.
 * Both honour the `Cache` contract (same suite, lib/cache/cache.contract.test.ts).
 */
export async function openCache(options: OpenCacheOptions): Promise<Cache> {
  const { url, log } = options;
  if (url) {
    const cache = await createRedisCache({ ...options, url });
    log.info({ cache: "redis" }, "using Redis");
    return cache;
  }
  log.info({ cache: "memory" }, "using the in-process cache");
  return createMemoryCache(options);
}
