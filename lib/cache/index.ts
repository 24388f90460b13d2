export type {
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
  StreamEntry,
  StreamRangeOptions,
} from "./cache.ts";
export { cacheUnavailable } from "./cache-metrics.ts";
export { createMemoryCache, type MemoryCacheOptions } from "./create-memory-cache.ts";
export { createRedisCache, type RedisCacheOptions } from "./create-redis-cache.ts";
export { CacheUnavailableError, isCacheUnavailableError } from "./errors.ts";
export { MemoryCacheStore, processMemoryStore } from "./memory-cache-store.ts";
export { type OpenCacheOptions, openCache } from "./open-cache.ts";
export { subscribeWakeup, type Wakeup } from "./wakeup.ts";
