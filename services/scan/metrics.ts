import type pg from "pg";
import { Gauge } from "prom-client";
import { registry } from "../../lib/metrics/registry.ts";
import { unfinished } from "./store.ts";

/** registerJobGauges exports the jobs in progress and the oldest one's age, read at each scrape. */
export function registerJobGauges(pool: pg.Pool): void {
  if (registry.getSingleMetric("eco2_scan_jobs_in_progress")) return;
  let last: Promise<{ count: number; oldestAgeSeconds: number }> | undefined;
  // One query serves both gauges of a scrape.
  const read = () => {
    last ??= unfinished(pool).finally(() => setTimeout(() => (last = undefined), 1000));
    return last;
  };
  new Gauge({
    name: "eco2_scan_jobs_in_progress",
    help: "Scan jobs queued or running.",
    registers: [registry],
    async collect() {
      this.set((await read()).count);
    },
  });
  new Gauge({
    name: "eco2_scan_oldest_in_progress_age_seconds",
    help: "Age of the oldest scan job still queued or running.",
    registers: [registry],
    async collect() {
      this.set((await read()).oldestAgeSeconds);
    },
  });
}
