import { describe, expect, it } from "bun:test";
import { limitConcurrency } from "./limit-concurrency.ts";

describe("limitConcurrency", () => {
  it("runs at most max tasks at once, all of them in the end, failures included", async () => {
    const run = limitConcurrency(2);
    let active = 0;
    let peak = 0;
    const task = (i: number) =>
      run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
        if (i === 3) throw new Error("task 3 fails");
        return i;
      });
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map(task));
    expect(peak).toBe(2);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
  });
});
