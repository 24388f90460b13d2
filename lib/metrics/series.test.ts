import { describe, expect, it } from "bun:test";
import { Histogram, Registry } from "prom-client";
import { FastCounter, FastHistogram } from "./series.ts";

describe("fast series", () => {
  it("prints counters like prom-client, one line per label tuple", async () => {
    const registry = new Registry();
    const counter = new FastCounter({
      name: "t_requests_total",
      help: "requests",
      labelNames: ["method", "status"] as const,
      registers: [registry],
    });
    counter.inc({ method: "GET", status: "200" });
    counter.series("GET", "200").inc(2);
    counter.inc({ method: "POST", status: "500" });
    const text = await registry.metrics();
    expect(text).toContain("# TYPE t_requests_total counter");
    expect(text).toContain('t_requests_total{method="GET",status="200"} 3');
    expect(text).toContain('t_requests_total{method="POST",status="500"} 1');
  });

  it("prints the same histogram lines as prom-client for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const definition = { help: "latency", labelNames: ["route"] as const, buckets: [0.01, 0.1, 1] };
    const fast = new FastHistogram({ ...definition, name: "t_seconds", registers: [ours] });
    const reference = new Histogram({ ...definition, name: "t_seconds", registers: [theirs] });
    for (const [route, value] of [
      ["/a", 0.005],
      ["/a", 0.01],
      ["/a", 0.5],
      ["/b", 3],
    ] as const) {
      fast.observe({ route }, value);
      reference.observe({ route }, value);
    }
    const lines = (text: string) => text.split("\n").sort();
    expect(lines(await ours.metrics())).toEqual(lines(await theirs.metrics()));
    fast.reset();
    expect(await ours.metrics()).not.toContain("t_seconds_count");
  });
});
