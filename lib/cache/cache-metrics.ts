import { Counter } from "prom-client";
import { registry } from "../metrics/registry.ts";

/**
 * eco2_cache_unavailable_total{operation}: calls that failed with CacheUnavailableError (cache
 * down, reconnecting or too slow). A rising rate with eco2_dependency_up{dependency="redis"} at 0
 * is an outage; a rising rate alone is a slow Redis.
 */
export const cacheUnavailable = new Counter({
  name: "eco2_cache_unavailable_total",
  help: "Cache calls that failed because Redis was unreachable or did not answer in time.",
  labelNames: ["operation"] as const,
  registers: [registry],
});
