import type pg from "pg";
import { Gauge } from "prom-client";
import { registry } from "../metrics/registry.ts";

const pools = new Map<pg.Pool, string>();

/**
 * eco2_db_pool_connections{schema,state}: each live pool's connections, read at scrape time.
 * `state` is `total`, `idle` or `waiting` (callers queued for a connection: the pool is too small
 * or the database too slow).
 */
export const dbPoolConnections = new Gauge({
  name: "eco2_db_pool_connections",
  help: "Connections of each database pool by state (total, idle, waiting clients).",
  labelNames: ["schema", "state"] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [pool, schema] of pools) {
      if (pool.ended) {
        pools.delete(pool);
        continue;
      }
      this.set({ schema, state: "total" }, pool.totalCount);
      this.set({ schema, state: "idle" }, pool.idleCount);
      this.set({ schema, state: "waiting" }, pool.waitingCount);
    }
  },
});

/** observePool adds a pool to `eco2_db_pool_connections` until it is ended. */
export function observePool(pool: pg.Pool, schema: string): void {
  pools.set(pool, schema);
}
