import { describe, expect, it } from "bun:test";
import { silentLog } from "../../test/support/silent-log.ts";
import { createMemoryCache } from "./create-memory-cache.ts";
import { MemoryCacheStore } from "./memory-cache-store.ts";
import { subscribeWakeup } from "./wakeup.ts";

const fresh = () =>
  createMemoryCache({ store: new MemoryCacheStore(), keyPrefix: "t:", log: silentLog });

async function elapsed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

describe("subscribeWakeup", () => {
  it("wakes a waiting reader on an announcement", async () => {
    const cache = fresh();
    const wakeup = await subscribeWakeup(cache, "news");
    setTimeout(() => void cache.publish("news", "1"), 20);
    let news: boolean | undefined;
    expect(
      await elapsed(async () => {
        news = await wakeup.wait(5000);
      }),
    ).toBeLessThan(1000);
    expect(news).toBe(true);
    await wakeup.close();
  });

  it("remembers an announcement that came while the reader was busy", async () => {
    const cache = fresh();
    const wakeup = await subscribeWakeup(cache, "news");
    await cache.publish("news", "1");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await elapsed(() => wakeup.wait(5000))).toBeLessThan(100);
    // Taken once: the next wait sleeps again.
    expect(await elapsed(() => wakeup.wait(150))).toBeGreaterThanOrEqual(140);
    await wakeup.close();
  });

  it("returns after maxMs without news, and at once when the signal aborts", async () => {
    const cache = fresh();
    const wakeup = await subscribeWakeup(cache, "news");
    expect(await elapsed(() => wakeup.wait(60))).toBeGreaterThanOrEqual(55);
    expect(await wakeup.wait(10)).toBe(false);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 20);
    expect(await elapsed(() => wakeup.wait(5000, abort.signal))).toBeLessThan(1000);
    await wakeup.close();
  });
});
