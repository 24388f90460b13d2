import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { isListening } from "../../test/support/processes.ts";
import { silentLog } from "../../test/support/silent-log.ts";
import type { Cache } from "./cache.ts";
import { cacheUnavailable } from "./cache-metrics.ts";
import { isCacheUnavailableError } from "./errors.ts";
import { openCache } from "./open-cache.ts";

// A throwaway redis-server of this test's own: the machine's shared one on 6379 must stay up.
const hasRedisServer = spawnSync("redis-server", ["--version"]).status === 0;
const skip = hasRedisServer
  ? undefined
  : process.env.CI === "true"
    ? (() => {
        throw new Error("redis-server must be on PATH in CI");
      })()
    : "(skipped: redis-server is not on PATH)";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  return typeof address === "object" && address ? address.port : 0;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 100; i++) {
    if (await isListening(port)) return child;
    await sleep(20);
  }
  child.kill("SIGKILL");
  throw new Error(`redis-server did not start on ${port}`);
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

/** Timed: the rejection of a call, and how long it took. */
async function failure(call: () => Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const started = performance.now();
  try {
    await call();
  } catch (err) {
    return { err, ms: performance.now() - started };
  }
  throw new Error("the call succeeded");
}

describe.skipIf(Boolean(skip))(`cache fault: Redis goes away and comes back ${skip ?? ""}`, () => {
  let port: number;
  let redis: ChildProcess;
  let cache: Cache;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    cache = await openCache({
      url: `redis://127.0.0.1:${port}`,
      commandTimeoutMs: 300,
      log: silentLog,
    });
  });
  afterAll(async () => {
    await cache?.close();
    if (redis) await stopRedis(redis);
  });

  it("fails fast with CacheUnavailableError while down, then reconnects and resubscribes", async () => {
    const received: string[] = [];
    await cache.subscribe("events", (m) => received.push(m));
    await cache.set("before", "1");
    await cache.publish("events", "before");

    await stopRedis(redis);
    // Give the client a moment to notice the closed socket.
    for (let i = 0; i < 50; i++) {
      if (
        await cache.ping().then(
          () => false,
          () => true,
        )
      )
        break;
      await sleep(10);
    }
    const calls: Array<() => Promise<unknown>> = [
      () => cache.get("before"),
      () => cache.set("during", "x"),
      () => cache.rateLimit("ip", { limit: 1, windowMs: 1000 }),
      () => cache.compareAndSet("before", "1", "2"),
      () => cache.publish("events", "during"),
      () => cache.zAdd("feed", [{ value: "a", score: 1 }]),
      () => cache.ping(),
    ];
    const unavailable = async () =>
      (await cacheUnavailable.get()).values.reduce((sum, v) => sum + v.value, 0);
    const countedBefore = await unavailable();
    for (const call of calls) {
      const { err, ms } = await failure(call);
      expect(isCacheUnavailableError(err)).toBe(true);
      // Fast: not queued until the command timeout, let alone until the server is back.
      expect(ms).toBeLessThan(50);
    }
    expect((await unavailable()) - countedBefore).toBe(calls.length);

    redis = await startRedis(port);
    const back = Date.now();
    for (;;) {
      if (
        await cache.ping().then(
          () => true,
          () => false,
        )
      )
        break;
      if (Date.now() - back > 5000) throw new Error("no reconnect within 5 s");
      await sleep(25);
    }
    // The restarted server kept nothing; the client works normally again.
    expect(await cache.get("before")).toBeNull();
    await cache.set("after", "2");
    expect(await cache.get("after")).toBe("2");
    // The subscription came back with the subscriber connection.
    for (let i = 0; i < 100 && !received.includes("after"); i++) {
      await cache.publish("events", "after");
      await sleep(20);
    }
    expect(received[0]).toBe("before");
    expect(received).toContain("after");
    expect(received).not.toContain("during");
  });

  it("times out a command the server does not answer", async () => {
    redis.kill("SIGSTOP");
    try {
      const { err, ms } = await failure(() => cache.get("after"));
      expect(isCacheUnavailableError(err)).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(1500);
    } finally {
      redis.kill("SIGCONT");
    }
    // The late reply to the timed-out command must not be handed to the next one.
    await cache.set("x", "fresh");
    expect(await cache.get("x")).toBe("fresh");
  });

  it("rejects opening a cache whose server is unreachable", async () => {
    const nobody = await freePort();
    const { err, ms } = await failure(() =>
      openCache({ url: `redis://127.0.0.1:${nobody}`, connectTimeoutMs: 400, log: silentLog }),
    );
    expect(isCacheUnavailableError(err)).toBe(true);
    expect(ms).toBeLessThan(2000);
  });
});
