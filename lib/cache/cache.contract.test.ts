import { afterAll, describe, expect, it } from "bun:test";
import { createClient } from "redis";
import { realServers, skipReason, uniqueName } from "../../test/support/servers.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import type { Cache } from "./cache.ts";
import { isCacheUnavailableError } from "./errors.ts";
import { openCache } from "./open-cache.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually(check: () => void, ms = 1000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await sleep(10);
    }
  }
}

/**
 * describeCacheContract is the one suite for the cache port, run against Redis and the
 * in-process adapter. `make(prefix)` opens a cache whose keys all start with `prefix`.
 */
function describeCacheContract(
  name: string,
  make: (keyPrefix: string) => Promise<Cache>,
  skip?: string,
): void {
  describe.skipIf(Boolean(skip))(`cache contract: ${name} ${skip ?? ""}`, () => {
    const opened: Cache[] = [];
    const open = async (prefix = `${uniqueName("cc")}:`) => {
      const cache = await make(prefix);
      opened.push(cache);
      return cache;
    };
    afterAll(async () => {
      await Promise.all(opened.map((c) => c.close()));
    });

    it("gets, sets and deletes", async () => {
      const cache = await open();
      expect(await cache.get("k")).toBeNull();
      await cache.set("k", "v1");
      expect(await cache.get("k")).toBe("v1");
      await cache.set("k", "v2");
      expect(await cache.get("k")).toBe("v2");
      expect(await cache.del("k")).toBe(true);
      expect(await cache.del("k")).toBe(false);
      expect(await cache.get("k")).toBeNull();
    });

    it("expires keys after their TTL, and a plain set clears the TTL", async () => {
      const cache = await open();
      await cache.set("short", "x", { ttlMs: 150 });
      await cache.set("kept", "y", { ttlMs: 150 });
      await cache.set("kept", "y2");
      expect(await cache.get("short")).toBe("x");
      await sleep(300);
      expect(await cache.get("short")).toBeNull();
      expect(await cache.get("kept")).toBe("y2");
    });

    it("keeps key prefixes apart", async () => {
      const a = await open();
      const b = await open();
      await a.set("same", "a");
      await b.set("same", "b");
      expect(await a.get("same")).toBe("a");
      expect(await b.get("same")).toBe("b");
    });

    it("shares keys and channels between caches of one process, as clients of one server", async () => {
      const prefix = `${uniqueName("cc")}:`;
      const gateway = await open(prefix);
      const auth = await open(prefix);
      await auth.set("revoked:jti-1", "1", { ttlMs: 5000 });
      expect(await gateway.get("revoked:jti-1")).toBe("1");
      const heard: string[] = [];
      await gateway.subscribe("revocations", (m) => heard.push(m));
      expect(await auth.publish("revocations", "jti-1")).toBe(1);
      await eventually(() => expect(heard).toEqual(["jti-1"]));
      await auth.close();
      // One client closing leaves the data to the others.
      expect(await gateway.get("revoked:jti-1")).toBe("1");
    });

    it("setIfAbsent writes only the first time, until the key expires", async () => {
      const cache = await open();
      expect(await cache.setIfAbsent("idem", "first", 200)).toBe(true);
      expect(await cache.setIfAbsent("idem", "second", 200)).toBe(false);
      expect(await cache.get("idem")).toBe("first");
      // Of many concurrent claims exactly one wins.
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, i) => cache.setIfAbsent("race", String(i), 5000)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      await sleep(300);
      expect(await cache.setIfAbsent("idem", "third", 200)).toBe(true);
      expect(await cache.get("idem")).toBe("third");
    });

    it("compareAndSet replaces only the expected value, atomically", async () => {
      const cache = await open();
      expect(await cache.compareAndSet("c", "x", "y")).toBe(false);
      expect(await cache.get("c")).toBeNull();
      expect(await cache.compareAndSet("c", null, "0")).toBe(true);
      expect(await cache.compareAndSet("c", null, "again")).toBe(false);
      expect(await cache.compareAndSet("c", "wrong", "1")).toBe(false);
      expect(await cache.get("c")).toBe("0");
      // 25 concurrent increments by compare-and-set loops: none may be lost.
      await Promise.all(
        Array.from({ length: 25 }, async () => {
          for (;;) {
            const current = (await cache.get("c")) ?? "0";
            if (await cache.compareAndSet("c", current, String(Number(current) + 1))) return;
          }
        }),
      );
      expect(await cache.get("c")).toBe("25");
    });

    it("compareAndSet keeps the current expiry unless given a TTL", async () => {
      const cache = await open();
      await cache.set("t", "a", { ttlMs: 200 });
      expect(await cache.compareAndSet("t", "a", "b")).toBe(true);
      expect(await cache.compareAndSet("u", null, "a", { ttlMs: 200 })).toBe(true);
      expect(await cache.get("t")).toBe("b");
      await sleep(300);
      expect(await cache.get("t")).toBeNull();
      expect(await cache.get("u")).toBeNull();
    });

    it("rate-limits in a sliding window, atomically under concurrency", async () => {
      const cache = await open();
      const limit = { limit: 5, windowMs: 400 };
      const results = await Promise.all(
        Array.from({ length: 12 }, () => cache.rateLimit("client-1", limit)),
      );
      const allowed = results.filter((r) => r.allowed);
      const refused = results.filter((r) => !r.allowed);
      expect(allowed).toHaveLength(5);
      expect(allowed.map((r) => r.remaining).sort()).toEqual([0, 1, 2, 3, 4]);
      expect(allowed.every((r) => r.retryAfterMs === 0)).toBe(true);
      for (const r of refused) {
        expect(r.remaining).toBe(0);
        expect(r.retryAfterMs).toBeGreaterThan(0);
        expect(r.retryAfterMs).toBeLessThanOrEqual(400);
        expect(r.resetMs).toBeGreaterThanOrEqual(r.retryAfterMs);
      }
      // Another key has its own budget.
      expect((await cache.rateLimit("client-2", limit)).allowed).toBe(true);
      await sleep(Math.max(...refused.map((r) => r.retryAfterMs)) + 20);
      const after = await cache.rateLimit("client-1", limit);
      expect(after.allowed).toBe(true);
      expect(after.remaining).toBe(4);
    });

    it("offers rateLimitNow only in process, counting in rateLimit's own window", async () => {
      const cache = await open();
      if (cache.kind === "redis") {
        // Redis windows are shared by every replica: only a round trip can count in them.
        expect(cache.rateLimitNow).toBeUndefined();
        return;
      }
      const now = cache.rateLimitNow!;
      const limit = { limit: 3, windowMs: 300 };
      expect((await cache.rateLimit("mixed", limit)).remaining).toBe(2);
      expect(now("mixed", limit)).toMatchObject({ allowed: true, remaining: 1, retryAfterMs: 0 });
      expect((await cache.rateLimit("mixed", limit)).remaining).toBe(0);
      const refused = now("mixed", limit);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(300);
      expect((await cache.rateLimit("mixed", limit)).allowed).toBe(false);
      // Another prefix is another key space.
      const other = await open();
      expect(other.rateLimitNow!("mixed", limit).remaining).toBe(2);
      await sleep(refused.retryAfterMs + 20);
      expect(now("mixed", limit)).toMatchObject({ allowed: true });
      await cache.close();
      expect(() => now("mixed", limit)).toThrow();
      try {
        now("mixed", limit);
      } catch (err) {
        expect(isCacheUnavailableError(err)).toBe(true);
      }
    });

    it("fans pub/sub messages out to every subscriber, in order, until unsubscribed", async () => {
      const cache = await open();
      const other = await open();
      const first: string[] = [];
      const second: string[] = [];
      const stray: string[] = [];
      const unsubFirst = await cache.subscribe("progress", (m) => first.push(m));
      await cache.subscribe("progress", (m) => second.push(m));
      await cache.subscribe("elsewhere", (m) => stray.push(m));
      await other.subscribe("progress", (m) => stray.push(m));
      expect(await cache.publish("nobody-listens", "0")).toBe(0);
      expect(await cache.publish("progress", "1")).toBe(1);
      await cache.publish("progress", "2");
      await eventually(() => expect(second).toEqual(["1", "2"]));
      expect(first).toEqual(["1", "2"]);
      await unsubFirst();
      await cache.publish("progress", "3");
      await eventually(() => expect(second).toEqual(["1", "2", "3"]));
      expect(first).toEqual(["1", "2"]);
      expect(stray).toEqual([]);
    });

    it("keeps sorted sets for feeds: newest first, bounded, paged", async () => {
      const cache = await open();
      const added = await cache.zAdd("feed", [
        { value: "a", score: 10 },
        { value: "b", score: 30 },
        { value: "c", score: 20 },
        { value: "d", score: 40 },
      ]);
      expect(added).toBe(4);
      expect(await cache.zAdd("feed", [{ value: "a", score: 50 }])).toBe(0);
      expect(await cache.zCard("feed")).toBe(4);
      expect(await cache.zRangeByScoreDesc("feed", { limit: 2 })).toEqual([
        { value: "a", score: 50 },
        { value: "d", score: 40 },
      ]);
      expect(await cache.zRangeByScoreDesc("feed", { limit: 2, offset: 2 })).toEqual([
        { value: "b", score: 30 },
        { value: "c", score: 20 },
      ]);
      // Keyset paging: everything strictly below a cursor score.
      expect(await cache.zRangeByScoreDesc("feed", { max: 39, min: 21, limit: 10 })).toEqual([
        { value: "b", score: 30 },
      ]);
      expect(await cache.zRem("feed", ["b", "zzz"])).toBe(1);
      expect(await cache.zCard("feed")).toBe(3);
      expect(await cache.del("feed")).toBe(true);
      expect(await cache.zCard("feed")).toBe(0);
      expect(await cache.zRangeByScoreDesc("feed", { limit: 5 })).toEqual([]);
    });

    it("appends to a stream once per unique, with increasing ids, and reads it in order", async () => {
      const cache = await open();
      const entry = (unique: string, text = unique) => ({ unique, fields: { seq: unique, text } });
      const first = await cache.streamAppendUnique(
        "events",
        [entry("1"), entry("2"), entry("2", "repeat in the batch"), entry("3")],
        { ttlMs: 5000 },
      );
      expect(first).toHaveLength(3);
      for (const id of first) expect(id).toMatch(/^\d+-\d+$/);
      // A repeated batch appends only what is new, after what is there.
      const second = await cache.streamAppendUnique("events", [entry("3"), entry("4")], {
        ttlMs: 5000,
      });
      expect(second).toHaveLength(1);
      const all = await cache.streamRange("events", { count: 100 });
      expect(all.map((e) => e.fields)).toEqual([
        { seq: "1", text: "1" },
        { seq: "2", text: "2" },
        { seq: "3", text: "3" },
        { seq: "4", text: "4" },
      ]);
      expect(all.map((e) => e.id)).toEqual([...first, ...second]);
      const numeric = all.map((e) => e.id.split("-").map(Number) as [number, number]);
      for (let i = 1; i < numeric.length; i++) {
        const [ms, n] = numeric[i]!;
        const [prevMs, prevN] = numeric[i - 1]!;
        expect(ms > prevMs || (ms === prevMs && n > prevN)).toBe(true);
      }
      expect(await cache.streamAppendUnique("events", [entry("1")], { ttlMs: 5000 })).toEqual([]);
      expect(await cache.streamRange("missing", { count: 10 })).toEqual([]);
    });

    it("reads a stream after an id, exclusive, at most count entries", async () => {
      const cache = await open();
      const entries = Array.from({ length: 10 }, (_, i) => ({
        unique: `u${i}`,
        fields: { i: String(i) },
      }));
      const ids = await cache.streamAppendUnique("s", entries, { ttlMs: 5000 });
      const page = await cache.streamRange("s", { after: ids[2], count: 3 });
      expect(page.map((e) => e.fields.i)).toEqual(["3", "4", "5"]);
      expect(page.map((e) => e.id)).toEqual(ids.slice(3, 6));
      expect(await cache.streamRange("s", { after: ids[9], count: 5 })).toEqual([]);
      // An id between entries (or before all) starts at the next one.
      const [ms] = ids[0]!.split("-");
      const before = await cache.streamRange("s", { after: `${Number(ms) - 1}-0`, count: 2 });
      expect(before.map((e) => e.fields.i)).toEqual(["0", "1"]);
      // Paging by the last id read visits each entry once.
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const batch = await cache.streamRange("s", { after, count: 4 });
        if (batch.length === 0) break;
        seen.push(...batch.map((e) => e.fields.i!));
        after = batch.at(-1)!.id;
      }
      expect(seen).toEqual(entries.map((e) => e.fields.i));
      expect(
        await cache.streamRange("s", { after: "not-an-id", count: 1 }).catch((e) => e),
      ).toBeInstanceOf(TypeError);
    });

    it("bounds a stream by maxLen and still skips trimmed uniques", async () => {
      const cache = await open();
      const entries = Array.from({ length: 6 }, (_, i) => ({
        unique: `${i}`,
        fields: { i: `${i}` },
      }));
      await cache.streamAppendUnique("bounded", entries, { ttlMs: 5000, maxLen: 4 });
      const kept = await cache.streamRange("bounded", { count: 10 });
      expect(kept.map((e) => e.fields.i)).toEqual(["2", "3", "4", "5"]);
      expect(
        await cache.streamAppendUnique("bounded", [entries[0]!], { ttlMs: 5000, maxLen: 4 }),
      ).toEqual([]);
    });

    it("expires a stream with its uniques after the TTL of its last append", async () => {
      const cache = await open();
      const one = [{ unique: "1", fields: { v: "a" } }];
      expect(await cache.streamAppendUnique("t", one, { ttlMs: 200 })).toHaveLength(1);
      await sleep(120);
      // Appending renews the TTL.
      await cache.streamAppendUnique("t", [{ unique: "2", fields: { v: "b" } }], { ttlMs: 200 });
      await sleep(120);
      expect(await cache.streamRange("t", { count: 10 })).toHaveLength(2);
      await sleep(200);
      expect(await cache.streamRange("t", { count: 10 })).toEqual([]);
      // A new stream under the key knows no earlier unique; so does one whose key was deleted.
      expect(await cache.streamAppendUnique("t", one, { ttlMs: 5000 })).toHaveLength(1);
      expect(await cache.del("t")).toBe(true);
      expect(await cache.streamAppendUnique("t", one, { ttlMs: 5000 })).toHaveLength(1);
      expect(await cache.streamRange("t", { count: 10 })).toHaveLength(1);
    });

    it("appends atomically: concurrent repeats of one batch append each unique once", async () => {
      const cache = await open();
      const batch = Array.from({ length: 20 }, (_, i) => ({
        unique: `${i}`,
        fields: { i: `${i}` },
      }));
      const results = await Promise.all(
        Array.from({ length: 8 }, () => cache.streamAppendUnique("race", batch, { ttlMs: 5000 })),
      );
      expect(results.flat()).toHaveLength(20);
      const read = await cache.streamRange("race", { count: 100 });
      expect(read.map((e) => e.fields.i)).toEqual(batch.map((e) => e.fields.i));
    });

    it("answers ping, and fails with CacheUnavailableError once closed", async () => {
      const cache = await make(`${uniqueName("cc")}:`);
      await cache.ping();
      await cache.close();
      const err = await cache.get("k").catch((e) => e);
      expect(isCacheUnavailableError(err)).toBe(true);
      expect(err.name).toBe("CacheUnavailableError");
    });
  });
}

const redisSkip = skipReason(realServers.redisUrl, "REDIS_URL");
const runPrefix = `${uniqueName("eco2test")}:`;
describeCacheContract(
  "redis (real)",
  (prefix) =>
    openCache({ url: realServers.redisUrl, keyPrefix: runPrefix + prefix, log: silentLog }),
  redisSkip,
);
describeCacheContract("memory (embedded)", (prefix) =>
  openCache({ keyPrefix: prefix, log: silentLog }),
);

// The shared Redis outlives this run: remove every key it wrote.
afterAll(async () => {
  if (redisSkip) return;
  const raw = createClient({ url: realServers.redisUrl });
  await raw.connect();
  const keys: string[] = [];
  for await (const batch of raw.scanIterator({ MATCH: `${runPrefix}*`, COUNT: 500 })) {
    keys.push(...batch);
  }
  if (keys.length > 0) await raw.del(keys);
  await raw.close();
});
