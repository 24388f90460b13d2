import { describe, expect, it } from "bun:test";
import { silentLog } from "../../test/support/silent-log.ts";
import { GracefulShutdown } from "./graceful-shutdown.ts";

function make(deadlineMs = 1000) {
  const exits: number[] = [];
  let began = false;
  const shutdown = new GracefulShutdown({
    deadlineMs,
    log: silentLog,
    onBegin: () => {
      began = true;
    },
    exit: (code) => exits.push(code),
  });
  return { shutdown, exits, began: () => began };
}

describe("GracefulShutdown", () => {
  it("runs phases in order, each phase's hooks together, then exits 0", async () => {
    const { shutdown, exits, began } = make();
    const order: string[] = [];
    const hook = (name: string, ms: number) => async () => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(name);
    };
    shutdown.add({ name: "pool", phase: "close", run: hook("close", 0) });
    shutdown.add({ name: "http", phase: "stop-accepting", run: hook("stop-slow", 30) });
    shutdown.add({ name: "grpc", phase: "stop-accepting", run: hook("stop-fast", 1) });
    shutdown.add({ name: "consumer", phase: "drain", run: hook("drain", 0) });
    expect(await shutdown.stop()).toBe(0);
    expect(began()).toBe(true);
    expect(order).toEqual(["stop-fast", "stop-slow", "drain", "close"]);
    expect(exits).toEqual([0]);
  });

  it("exits 1 when a hook fails, after running the rest", async () => {
    const { shutdown, exits } = make();
    let closed = false;
    shutdown.add({
      name: "broken",
      phase: "drain",
      run: () => {
        throw new Error("boom");
      },
    });
    shutdown.add({ name: "pool", phase: "close", run: () => (closed = true) });
    expect(await shutdown.stop()).toBe(1);
    expect(closed).toBe(true);
    expect(exits).toEqual([1]);
  });

  it("exits 1 when the deadline passes", async () => {
    const { shutdown, exits } = make(50);
    shutdown.add({ name: "stuck", phase: "drain", run: () => new Promise(() => {}) });
    const started = performance.now();
    expect(await shutdown.stop()).toBe(1);
    expect(performance.now() - started).toBeLessThan(500);
    expect(exits).toEqual([1]);
  });

  it("tells every whenStopping listener before any hook runs", async () => {
    const { shutdown } = make();
    const seen: string[] = [];
    shutdown.whenStopping(() => seen.push("a"));
    shutdown.whenStopping(() => seen.push("b"));
    shutdown.add({ name: "hook", phase: "stop-accepting", run: () => seen.push("hook") });
    await shutdown.stop();
    expect(seen).toEqual(["a", "b", "hook"]);
  });

  it("runs once however often it is asked", async () => {
    const { shutdown, exits } = make();
    let runs = 0;
    shutdown.add({ name: "count", phase: "close", run: () => runs++ });
    await Promise.all([shutdown.stop(), shutdown.stop()]);
    expect(runs).toBe(1);
    expect(exits).toEqual([0]);
  });
});
