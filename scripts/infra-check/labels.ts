// The label values alert rules and dashboards may match on: namespaces and jobs from the
// rendered manifests (a ServiceMonitor's job is its Service's name), and the values our code
// gives each metric label (literals in a metric call's label object, or the values a metric's
// doc comment lists). A matcher on any other value selects nothing and the alert never fires.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Matcher } from "./promql.ts";
import { type K8sObject, walkFiles } from "./sources.ts";

/** Jobs kube-prometheus-stack scrapes itself (its ServiceMonitors' job labels). */
const STACK_JOBS = [
  "apiserver",
  "kubelet",
  "coredns",
  "kube-state-metrics",
  "node-exporter",
  "kube-prometheus-stack-prometheus",
  "kube-prometheus-stack-alertmanager",
  "kube-prometheus-stack-operator",
];
const STACK_NAMESPACES = ["monitoring", "kube-system", "argocd"];
const CODE_DIRS = ["lib", "services", "workers", "gateway"];

export type LabelValues = Map<string, Set<string>>;

function codeLabelValues(codeRoot: string): LabelValues {
  const files = CODE_DIRS.flatMap((d) => walkFiles(join(codeRoot, d), /(?<!\.test)\.ts$/));
  const texts = files.map((f) => readFileSync(f, "utf8"));
  const declared = new Set(
    texts.flatMap((t) =>
      [...t.matchAll(/labelNames:\s*\[([^\]]*)\]/g)].flatMap((m) =>
        [...(m[1] ?? "").matchAll(/"(\w+)"/g)].map((x) => x[1]!),
      ),
    ),
  );
  const values: LabelValues = new Map();
  const documented = new Set<string>();
  const computed = new Set<string>();
  const add = (label: string, value: string) => {
    if (!declared.has(label) || label === "namespace" || label === "job") return;
    if (!values.has(label)) values.set(label, new Set());
    values.get(label)!.add(value);
  };
  for (const t of texts) {
    // The label object of a metric call: `busConsumed.inc({ queue, outcome: "retry" })`. A
    // value computed at run time (or a shorthand property) leaves the label open.
    for (const call of t.matchAll(/\.(?:inc|dec|set|observe|startTimer|labels)\(\s*\{([^}]*)\}/g)) {
      for (const part of (call[1] ?? "").split(",")) {
        const m = part.trim().match(/^(\w+)(?::\s*(.+))?$/);
        if (!m?.[1]) continue;
        const literal = m[2]?.match(/^"([\w.-]+)"$/)?.[1];
        if (literal) add(m[1], literal);
        else computed.add(m[1]);
      }
    }
    // Doc comments that enumerate a label close it: `outcome: \`ack\` | \`retry\``.
    for (const m of t.matchAll(/\b(\w+):((?:\s*`[\w.-]+`\s*\|?)+)/g)) {
      for (const v of m[2]!.matchAll(/`([\w.-]+)`/g)) add(m[1]!, v[1]!);
      documented.add(m[1]!);
    }
  }
  for (const label of computed) if (!documented.has(label)) values.delete(label);
  return values;
}

export function knownLabelValues(codeRoot: string, objects: K8sObject[]): LabelValues {
  const values = codeLabelValues(codeRoot);
  if (objects.length > 0) {
    values.set(
      "namespace",
      new Set([
        ...objects.map((o) => o.metadata?.namespace ?? "").filter(Boolean),
        ...STACK_NAMESPACES,
      ]),
    );
    values.set(
      "job",
      new Set([
        ...objects.filter((o) => o.kind === "Service").map((o) => o.metadata?.name ?? ""),
        ...STACK_JOBS,
      ]),
    );
  }
  return values;
}

/** Problems with one matcher: a literal value (or regex alternative) no target carries. */
export function checkMatcher(m: Matcher, known: LabelValues): string | null {
  const values = known.get(m.label);
  // `$job`: a Grafana variable, filled from label_values() at view time.
  if (!values || m.value.includes("$")) return null;
  if (m.label !== "namespace" && m.label !== "job" && !m.metric.startsWith("eco2_")) return null;
  const regex = m.op === "=~" || m.op === "!~";
  const parts = regex ? m.value.split("|") : [m.value];
  if (regex && !parts.every((p) => /^[\w.-]+$/.test(p))) return null;
  const unknown = parts.filter((p) => p !== "" && !values.has(p));
  if (unknown.length === 0) return null;
  return `${m.metric || "selector"}{${m.label}${m.op}"${m.value}"}: ${unknown.map((u) => `"${u}"`).join(", ")} is not a ${m.label} value anything has (known: ${[...values].sort().slice(0, 12).join(", ")})`;
}
