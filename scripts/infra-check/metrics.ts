// The metric names alert rules and dashboards may use: what lib/metrics exports, prom-client's
// defaults, and the standard metrics of the exporters deployed in infra/. A typo in a rule
// would otherwise silently never fire.

const ECO2_COUNTERS_AND_GAUGES = [
  "eco2_http_requests_total",
  "eco2_rpc_server_handled_total",
  "eco2_rpc_client_handled_total",
  "eco2_bus_published_total",
  "eco2_bus_consumed_total",
  "eco2_bus_queue_depth",
  "eco2_bus_dead_letter_depth",
  "eco2_bus_consumers",
  "eco2_outbox_pending",
  "eco2_outbox_oldest_pending_age_seconds",
  "eco2_scan_jobs_total",
  "eco2_scan_jobs_in_progress",
  "eco2_scan_oldest_in_progress_age_seconds",
  "eco2_dependency_up",
];

const ECO2_HISTOGRAMS = [
  "eco2_http_request_duration_seconds",
  "eco2_rpc_server_handling_seconds",
  "eco2_rpc_client_handling_seconds",
  "eco2_bus_handler_seconds",
  "eco2_scan_stage_seconds",
];

const EXPORTERS = [
  "up",
  "pg_up",
  "redis_up",
  "redis_connected_clients",
  "redis_memory_used_bytes",
  "certmanager_certificate_expiration_timestamp_seconds",
  "process_cpu_seconds_total",
  "process_resident_memory_bytes",
];

/** Families whose individual names we do not enumerate: rabbitmq_prometheus, node-exporter, kube-state-metrics, prom-client's nodejs_*. */
const PREFIXES = ["rabbitmq_", "node_", "kube_", "nodejs_"];

const EXACT = new Set<string>([
  ...ECO2_COUNTERS_AND_GAUGES,
  ...EXPORTERS,
  ...ECO2_HISTOGRAMS.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]),
]);

export function isKnownMetric(name: string): boolean {
  return EXACT.has(name) || PREFIXES.some((p) => name.startsWith(p));
}
