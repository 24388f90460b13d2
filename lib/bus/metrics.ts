import { Counter, Gauge, Histogram } from "prom-client";
import { LATENCY_BUCKETS, registry } from "../metrics/registry.ts";

/**
 * Bus and outbox metrics. The names are part of the operations contract: the PrometheusRules and
 * dashboards under infra/monitoring query them, so rename nothing here without changing those.
 */

/** outcome: `confirmed` | `failed` (no confirm in time, or the broker refused). */
export const busPublished = new Counter({
  name: "eco2_bus_published_total",
  help: "Publishes to the bus, by exchange, routing key and outcome (confirmed | failed).",
  labelNames: ["exchange", "routing_key", "outcome"] as const,
  registers: [registry],
});

/** countPublish runs one publish and counts it as confirmed or failed; failures are rethrown. */
export async function countPublish(
  exchange: string,
  routingKey: string,
  publish: () => Promise<unknown> | unknown,
): Promise<void> {
  try {
    await publish();
    busPublished.inc({ exchange, routing_key: routingKey, outcome: "confirmed" });
  } catch (err) {
    busPublished.inc({ exchange, routing_key: routingKey, outcome: "failed" });
    throw err;
  }
}

/** outcome: `ack` | `retry` | `dead_letter` | `duplicate`. */
export const busConsumed = new Counter({
  name: "eco2_bus_consumed_total",
  help: "Messages settled by consumers, by work queue and outcome (ack | retry | dead_letter | duplicate).",
  labelNames: ["queue", "outcome"] as const,
  registers: [registry],
});

export const busHandlerSeconds = new Histogram({
  name: "eco2_bus_handler_seconds",
  help: "Time a consumer's handler took per message, by work queue.",
  labelNames: ["queue"] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const busConsumers = new Gauge({
  name: "eco2_bus_consumers",
  help: "Consumers this process runs on a work queue.",
  labelNames: ["queue"] as const,
  registers: [registry],
});

/** A source the depth gauges read on scrape: one per consumer a bus has declared. */
interface DepthSource {
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly stats: (queue: string) => Promise<{ messages: number }>;
}

const depthSources = new Set<DepthSource>();

/** Queue depth is read from the broker at scrape time, bounded so a dead broker cannot hang /metrics. */
async function readDepths(pick: (source: DepthSource) => string, gauge: Gauge<"queue">) {
  gauge.reset();
  await Promise.all(
    [...depthSources].map(async (source) => {
      const queue = pick(source);
      try {
        const stats = await withTimeout(source.stats(queue), 1000);
        gauge.set({ queue: source.queue }, stats.messages);
      } catch {
        // Unknown depth is left out rather than reported as 0, which would look healthy.
      }
    }),
  );
}

export const busQueueDepth: Gauge<"queue"> = new Gauge({
  name: "eco2_bus_queue_depth",
  help: "Messages ready on a consumer's work queue (read from the broker on scrape).",
  labelNames: ["queue"] as const,
  registers: [registry],
  async collect() {
    await readDepths((s) => s.queue, busQueueDepth);
  },
});

export const busDeadLetterDepth: Gauge<"queue"> = new Gauge({
  name: "eco2_bus_dead_letter_depth",
  help: "Messages waiting on a consumer's dead-letter queue, labelled with the work queue.",
  labelNames: ["queue"] as const,
  registers: [registry],
  async collect() {
    await readDepths((s) => s.deadLetterQueue, busDeadLetterDepth);
  },
});

/** trackQueueDepth adds a consumer's queues to the depth gauges; the returned function removes them. */
export function trackQueueDepth(source: DepthSource): () => void {
  depthSources.add(source);
  return () => depthSources.delete(source);
}

export const outboxPending = new Gauge({
  name: "eco2_outbox_pending",
  help: "Outbox rows not yet published, by schema.",
  labelNames: ["schema"] as const,
  registers: [registry],
});

export const outboxOldestPendingAge = new Gauge({
  name: "eco2_outbox_oldest_pending_age_seconds",
  help: "Age of the oldest unpublished outbox row, by schema (0 when none).",
  labelNames: ["schema"] as const,
  registers: [registry],
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timeout")), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
