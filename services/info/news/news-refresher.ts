import { randomUUID } from "node:crypto";
import type { Cache } from "../../../lib/cache/index.ts";
import type { Logger } from "../../../lib/log/index.ts";
import type { CollectReport } from "./collect-news.ts";

/** The lock that lets one replica collect per interval (CONTRACT Redis inventory: news:lock:*). */
export const NEWS_LOCK_KEY = "news:lock:refresh";

export interface NewsRefresherOptions {
  readonly cache: Cache;
  readonly log: Logger;
  /** One collection; the refresher never runs two at once. */
  readonly collect: () => Promise<CollectReport>;
  readonly intervalMs: number;
  /** Delay of the first round after start. */
  readonly firstDelayMs: number;
}

export interface NewsRefresher {
  /** runOnce takes the lock and collects; false when another replica holds the lock. */
  runOnce(): Promise<boolean>;
  stop(): Promise<void>;
}

// ±10 % so replicas started together drift apart and do not all wake up on the same tick.
function jittered(ms: number): number {
  return Math.round(ms * (0.9 + Math.random() * 0.2));
}

/**
 * startNewsRefresher collects on a timer with jitter. The lock is held (not released) for most of
 * the interval, so across replicas one collection runs per interval; if its holder dies the lock
 * expires and another replica collects on its next tick.
 */
export function startNewsRefresher(options: NewsRefresherOptions): NewsRefresher {
  const { cache, log } = options;
  const owner = randomUUID();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function runOnce(): Promise<boolean> {
    const lockMs = Math.max(1000, Math.floor(options.intervalMs * 0.8));
    if (!(await cache.setIfAbsent(NEWS_LOCK_KEY, owner, lockMs))) return false;
    const started = performance.now();
    const report = await options.collect();
    log.info({ ...report, ms: Math.round(performance.now() - started) }, "news collected");
    return true;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce()
        .catch((err) => log.warn({ err: String(err) }, "news collection failed"))
        .finally(() => schedule(jittered(options.intervalMs)));
    }, delayMs);
    // A pending collection must not keep a process alive that is otherwise done.
    (timer as { unref?: () => void }).unref?.();
  }

  schedule(options.firstDelayMs);
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
