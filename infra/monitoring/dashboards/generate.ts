// Writes the Grafana dashboards (JSON) in this folder. Panels are listed as [title, PromQL,
// unit] so each dashboard reads like a table of what it shows; `npm run infra:check` parses
// every expression and checks its metric names, as it does for the alert rules. Run:
//   bun infra/monitoring/dashboards/generate.ts && npx biome format --write infra/monitoring/dashboards
import { writeFileSync } from "node:fs";
import { join } from "node:path";

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template.
const DATASOURCE = "${datasource}";

type Panel = [title: string, expr: string, unit: string];

interface Dashboard {
  uid: string;
  title: string;
  /** `$job` variable populated from this query, when the dashboard is per service. */
  jobVariable?: string;
  panels: Panel[];
}

const DASHBOARDS: Dashboard[] = [
  {
    uid: "eco2-overview",
    title: "Eco² / Overview",
    panels: [
      [
        "Gateway requests/s by status",
        "sum by (status) (rate(eco2_http_requests_total[5m]))",
        "reqps",
      ],
      [
        "Gateway 5xx ratio",
        'sum(rate(eco2_http_requests_total{status=~"5.."}[5m])) / sum(rate(eco2_http_requests_total[5m]))',
        "percentunit",
      ],
      [
        "Gateway p99 latency",
        "histogram_quantile(0.99, sum by (le) (rate(eco2_http_request_duration_seconds_bucket[5m])))",
        "s",
      ],
      ["Targets up by job", 'sum by (job) (up{namespace=~"eco2-.*"})', "short"],
      ["Dependencies down", "count by (dependency) (eco2_dependency_up == 0)", "short"],
      [
        "Scan jobs/min by outcome",
        "sum by (outcome) (rate(eco2_scan_jobs_total[5m])) * 60",
        "short",
      ],
      ["Queue depth", "max by (queue) (eco2_bus_queue_depth)", "short"],
      ["PostgreSQL / Redis up", "pg_up or redis_up", "short"],
    ],
  },
  {
    uid: "eco2-service-red",
    title: "Eco² / Service RED",
    jobVariable: "label_values(eco2_rpc_server_handled_total, job)",
    panels: [
      [
        "Rate by method",
        'sum by (method) (rate(eco2_rpc_server_handled_total{job="$job"}[5m]))',
        "reqps",
      ],
      [
        "Errors by code",
        'sum by (code) (rate(eco2_rpc_server_handled_total{job="$job", code!="OK"}[5m]))',
        "reqps",
      ],
      [
        "p50/p99 duration by method",
        'histogram_quantile(0.99, sum by (le, method) (rate(eco2_rpc_server_handling_seconds_bucket{job="$job"}[5m])))',
        "s",
      ],
      [
        "Outgoing calls p99 by callee",
        'histogram_quantile(0.99, sum by (le, service) (rate(eco2_rpc_client_handling_seconds_bucket{job="$job"}[5m])))',
        "s",
      ],
      ["CPU", 'sum by (pod) (rate(process_cpu_seconds_total{job="$job"}[5m]))', "short"],
      ["Resident memory", 'sum by (pod) (process_resident_memory_bytes{job="$job"})', "bytes"],
      ["Event loop lag", 'max by (pod) (nodejs_eventloop_lag_seconds{job="$job"})', "s"],
    ],
  },
  {
    uid: "eco2-scan-pipeline",
    title: "Eco² / Scan pipeline",
    panels: [
      ["Jobs/min by outcome", "sum by (outcome) (rate(eco2_scan_jobs_total[5m])) * 60", "short"],
      [
        "Failure ratio",
        'sum(rate(eco2_scan_jobs_total{outcome="failed"}[15m])) / sum(rate(eco2_scan_jobs_total[15m]))',
        "percentunit",
      ],
      [
        "Stage p95 duration",
        "histogram_quantile(0.95, sum by (le, stage) (rate(eco2_scan_stage_seconds_bucket[5m])))",
        "s",
      ],
      ["In progress", "sum(eco2_scan_jobs_in_progress)", "short"],
      ["Oldest in progress", "max(eco2_scan_oldest_in_progress_age_seconds)", "s"],
      ["Scan outbox lag", 'max(eco2_outbox_oldest_pending_age_seconds{schema="scan"})', "s"],
    ],
  },
  {
    uid: "eco2-queues",
    title: "Eco² / Queues",
    panels: [
      ["Depth by queue", "max by (queue) (eco2_bus_queue_depth)", "short"],
      ["Dead letters by queue", "max by (queue) (eco2_bus_dead_letter_depth)", "short"],
      ["Consumers by queue", "sum by (queue) (eco2_bus_consumers)", "short"],
      [
        "Consumed/s by outcome",
        "sum by (queue, outcome) (rate(eco2_bus_consumed_total[5m]))",
        "ops",
      ],
      [
        "Published/s by outcome",
        "sum by (exchange, outcome) (rate(eco2_bus_published_total[5m]))",
        "ops",
      ],
      [
        "Handler p99",
        "histogram_quantile(0.99, sum by (le, queue) (rate(eco2_bus_handler_seconds_bucket[5m])))",
        "s",
      ],
      ["Outbox pending by schema", "max by (schema) (eco2_outbox_pending)", "short"],
      ["RabbitMQ messages ready", "sum(rabbitmq_queue_messages_ready)", "short"],
    ],
  },
];

function render(d: Dashboard): unknown {
  return {
    uid: d.uid,
    title: d.title,
    tags: ["eco2"],
    schemaVersion: 39,
    version: 1,
    editable: false,
    time: { from: "now-6h", to: "now" },
    refresh: "30s",
    templating: {
      list: [
        { name: "datasource", type: "datasource", query: "prometheus", hide: 0 },
        ...(d.jobVariable
          ? [
              {
                name: "job",
                type: "query",
                datasource: { type: "prometheus", uid: DATASOURCE },
                query: d.jobVariable,
                refresh: 2,
              },
            ]
          : []),
      ],
    },
    panels: d.panels.map(([title, expr, unit], i) => ({
      id: i + 1,
      type: "timeseries",
      title,
      datasource: { type: "prometheus", uid: DATASOURCE },
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit }, overrides: [] },
      targets: [{ refId: "A", expr, legendFormat: "__auto" }],
    })),
  };
}

for (const d of DASHBOARDS) {
  writeFileSync(
    join(import.meta.dirname, `${d.uid}.json`),
    `${JSON.stringify(render(d), null, 2)}\n`,
  );
}
