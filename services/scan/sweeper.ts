import type pg from "pg";
import type { Cache } from "../../lib/cache/cache.ts";
import type { Logger } from "../../lib/log/create-logger.ts";
import { recordStage } from "./job-events.ts";
import { isStage, type Stage } from "./stages.ts";
import * as store from "./store.ts";

export interface SweeperOptions {
  readonly pool: pg.Pool;
  readonly cache: Cache;
  readonly log: Logger;
  /** A job nothing has touched for this long has lost its worker. */
  readonly idleSeconds: number;
  readonly intervalMs: number;
}

/**
 * startSweeper fails jobs whose worker vanished, so no job sits forever and every watcher gets
 * its `error` event. Replicas may sweep at once: recording the failure is idempotent.
 */
export function startSweeper(options: SweeperOptions): { stop(): void } {
  const sweep = async () => {
    for (const job of await store.staleJobs(options.pool, options.idleSeconds)) {
      const stage: Stage =
        job.current_stage && isStage(job.current_stage) ? job.current_stage : "queued";
      await recordStage(options.pool, options.cache, job.id, {
        stage,
        status: "failed",
        progress: null,
        result: null,
        error: { code: "SCAN_TIMED_OUT", message: `no progress for ${options.idleSeconds} s` },
      });
      options.log.warn({ job_id: job.id, stage }, "scan job had no progress; failed it");
    }
  };
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    sweep()
      .catch((err) => options.log.warn({ err }, "scan sweep failed"))
      .finally(() => {
        sweeping = false;
      });
  }, options.intervalMs);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
