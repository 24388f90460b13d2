import { Counter, Histogram } from "prom-client";
import { LATENCY_BUCKETS, registry } from "../../../lib/metrics/registry.ts";

export const scanJobs = new Counter({
  name: "eco2_scan_jobs_total",
  help: "Scan jobs the ai worker finished, by outcome (completed, failed).",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const scanStageSeconds = new Histogram({
  name: "eco2_scan_stage_seconds",
  help: "Time one scan stage took in the ai worker, retries included.",
  labelNames: ["stage"] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
