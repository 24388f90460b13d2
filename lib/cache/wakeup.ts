import type { Cache } from "./cache.ts";

/** Wakeup lets a reader sleep until a channel says "look again", a time passes or it is told to stop. */
export interface Wakeup {
  /**
   * wait resolves on the next announcement, after `maxMs`, or when `signal` aborts. An
   * announcement that came while the reader was busy (not waiting) makes the next wait return at
   * once, so a reader never sleeps through news that arrived during its last read. Resolves to
   * true when news came, false when the time passed or the signal aborted.
   */
  wait(maxMs: number, signal?: AbortSignal): Promise<boolean>;
  /** close ends the subscription. */
  close(): Promise<void>;
}

/**
 * subscribeWakeup subscribes to a channel whose messages carry no data, only the news that a
 * stored state changed. Subscribe before the first read, so nothing recorded in between is missed.
 */
export async function subscribeWakeup(cache: Cache, channel: string): Promise<Wakeup> {
  let pending = false;
  let wake: (() => void) | undefined;
  const unsubscribe = await cache.subscribe(channel, () => {
    if (wake) wake();
    else pending = true;
  });
  return {
    wait(maxMs, signal) {
      if (pending || signal?.aborted) {
        const news = pending;
        pending = false;
        return Promise.resolve(news);
      }
      return new Promise<boolean>((resolve) => {
        const done = (news: boolean) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", quiet);
          wake = undefined;
          resolve(news);
        };
        const quiet = () => done(false);
        const timer = setTimeout(quiet, maxMs);
        wake = () => done(true);
        signal?.addEventListener("abort", quiet, { once: true });
      });
    },
    close: unsubscribe,
  };
}
