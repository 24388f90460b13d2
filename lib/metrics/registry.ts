import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { FastCounter, FastHistogram } from "./series.ts";

/**
 * registry is the one metrics registry of the process. In the all-in-one start every component
 * shares it, so `/metrics` shows them all; labels (service, method, route) keep them apart.
 */
export const registry = new Registry();

let defaultsCollected = false;

/** collectProcessMetrics adds prom-client's process and runtime metrics, once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  // The event-loop delay histogram samples on a timer: every 10 ms by default, which costs an
  // idle process ~0.6 % of a core (and a loaded one the same share of its requests). Every
  // 100 ms still gives a 15 s scrape 150 samples, and each delay is measured to the nanosecond.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
}

/** Latency buckets in seconds, from sub-millisecond RPCs to slow AI stages. */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

// The per-request and per-call metrics use the pre-resolved series of series.ts (hot paths).
export const httpRequests = new FastCounter({
  name: "eco2_http_requests_total",
  help: "HTTP requests served by the gateway, by route template and status.",
  labelNames: ["method", "route", "status"] as const,
  registers: [registry],
});

export const httpDuration = new FastHistogram({
  name: "eco2_http_request_duration_seconds",
  help: "HTTP request latency at the gateway.",
  labelNames: ["method", "route", "status"] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const rpcServerHandled = new FastCounter({
  name: "eco2_rpc_server_handled_total",
  help: "RPCs completed by servers, by gRPC status code name.",
  labelNames: ["service", "method", "code"] as const,
  registers: [registry],
});

export const rpcServerDuration = new FastHistogram({
  name: "eco2_rpc_server_handling_seconds",
  help: "RPC handling latency on the server.",
  labelNames: ["service", "method"] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const rpcClientHandled = new FastCounter({
  name: "eco2_rpc_client_handled_total",
  help: "RPCs completed by clients (after retries), by gRPC status code name.",
  labelNames: ["service", "method", "code"] as const,
  registers: [registry],
});

export const rpcClientDuration = new FastHistogram({
  name: "eco2_rpc_client_handling_seconds",
  help: "RPC latency seen by clients, retries included.",
  labelNames: ["service", "method"] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const dependencyUp = new Gauge({
  name: "eco2_dependency_up",
  help: "1 when the last readiness check of a dependency passed, else 0.",
  labelNames: ["dependency"] as const,
  registers: [registry],
});
