// Checks infra/monitoring: every alert's PromQL parses and uses exported metrics, the alert
// set is big enough, dashboards are valid JSON with valid queries, and promtool agrees
// (`check rules` on the extracted rule groups, `test rules` on tests/*.test.yaml).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { parse, stringify } from "yaml";
import { run, tail } from "./exec.ts";
import { checkMatcher, type LabelValues } from "./labels.ts";
import { checkExpr, matchers } from "./promql.ts";
import { walkFiles } from "./sources.ts";
import { type Problem, problem } from "./types.ts";

export const MIN_ALERTS = 26;
export const MIN_TESTED_ALERTS = 6;

interface Rule {
  alert?: string;
  record?: string;
  expr?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function ruleFiles(root: string): string[] {
  return walkFiles(join(root, "infra/monitoring/rules"), /\.ya?ml$/);
}

function groupsOf(file: string): { name: string; rules: Rule[] }[] {
  const doc = parse(readFileSync(file, "utf8")) as { kind?: string; spec?: { groups?: unknown } };
  if (doc?.kind !== "PrometheusRule") throw new Error("not a PrometheusRule");
  return (doc.spec?.groups ?? []) as { name: string; rules: Rule[] }[];
}

const labelProblems = (expr: string, known: LabelValues) =>
  matchers(expr)
    .map((m) => checkMatcher(m, known))
    .filter((m): m is string => m !== null);

export function checkRules(
  root: string,
  known: LabelValues = new Map(),
): { problems: Problem[]; alerts: string[] } {
  const problems: Problem[] = [];
  const alerts: string[] = [];
  for (const file of ruleFiles(root)) {
    const rel = relative(root, file);
    let groups: { name: string; rules: Rule[] }[];
    try {
      groups = groupsOf(file);
    } catch (e) {
      problems.push(problem(rel, `cannot read rules: ${(e as Error).message}`));
      continue;
    }
    for (const g of groups) {
      for (const r of g.rules ?? []) {
        const name = r.alert ?? r.record ?? "(unnamed)";
        if (r.alert) alerts.push(r.alert);
        if (typeof r.expr !== "string" || !r.expr.trim()) {
          problems.push(problem(rel, `${name}: empty expr`));
          continue;
        }
        for (const msg of [...checkExpr(r.expr), ...labelProblems(r.expr, known)])
          problems.push(problem(rel, `${name}: ${msg}`));
        if (r.alert && !r.labels?.severity)
          problems.push(problem(rel, `${name}: no severity label`));
        if (r.alert && !r.annotations?.summary)
          problems.push(problem(rel, `${name}: no summary annotation`));
      }
    }
  }
  const seen = new Set<string>();
  for (const a of alerts) {
    if (seen.has(a))
      problems.push(problem("infra/monitoring/rules", `alert ${a} is defined twice`));
    seen.add(a);
  }
  if (alerts.length < MIN_ALERTS) {
    problems.push(
      problem(
        "infra/monitoring/rules",
        `only ${alerts.length} alerts; at least ${MIN_ALERTS} expected`,
      ),
    );
  }
  return { problems, alerts };
}

export function checkDashboards(
  root: string,
  known: LabelValues = new Map(),
): { problems: Problem[]; count: number } {
  const problems: Problem[] = [];
  const files = walkFiles(join(root, "infra/monitoring/dashboards"), /\.json$/);
  const uids = new Set<string>();
  for (const file of files) {
    const rel = relative(root, file);
    let d: {
      uid?: string;
      title?: string;
      panels?: { title?: string; targets?: { expr?: string }[] }[];
    };
    try {
      d = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      problems.push(problem(rel, `invalid JSON: ${(e as Error).message}`));
      continue;
    }
    if (!d.uid || !d.title) problems.push(problem(rel, "dashboard needs a uid and a title"));
    if (d.uid && uids.has(d.uid)) problems.push(problem(rel, `duplicate dashboard uid ${d.uid}`));
    if (d.uid) uids.add(d.uid);
    for (const p of d.panels ?? []) {
      for (const t of p.targets ?? []) {
        for (const msg of [...checkExpr(t.expr ?? ""), ...labelProblems(t.expr ?? "", known)])
          problems.push(problem(rel, `panel "${p.title}": ${msg}`));
      }
    }
  }
  return { problems, count: files.length };
}

/** Names of alerts some promtool test expects to fire. */
function testedAlerts(testFile: string): string[] {
  const doc = parse(readFileSync(testFile, "utf8")) as {
    tests?: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
  };
  return (doc.tests ?? []).flatMap((t) =>
    (t.alert_rule_test ?? [])
      .filter((a) => (a.exp_alerts ?? []).length > 0)
      .map((a) => a.alertname),
  );
}

export function runPromtool(
  root: string,
  promtool: string,
): { problems: Problem[]; notes: string[] } {
  const problems: Problem[] = [];
  const notes: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "eco2-promtool-"));
  try {
    for (const file of ruleFiles(root)) {
      const rel = relative(root, file);
      const out = join(dir, `${basename(file).replace(/\.ya?ml$/, "")}.rules.yaml`);
      try {
        writeFileSync(out, stringify({ groups: groupsOf(file) }));
      } catch (e) {
        problems.push(problem(rel, `cannot extract rule groups: ${(e as Error).message}`));
        continue;
      }
      const r = run(promtool, ["check", "rules", out]);
      if (r.code !== 0)
        problems.push(problem(rel, `promtool check rules failed:\n${tail(r.stdout + r.stderr)}`));
    }
    const tests = walkFiles(join(root, "infra/monitoring/tests"), /\.test\.ya?ml$/);
    const covered = new Set<string>();
    for (const file of tests) {
      const rel = relative(root, file);
      const copy = join(dir, basename(file));
      copyFileSync(file, copy);
      for (const a of testedAlerts(file)) covered.add(a);
      const r = run(promtool, ["test", "rules", copy], { cwd: dir });
      if (r.code !== 0)
        problems.push(
          problem(rel, `promtool test rules failed:\n${tail(r.stdout + r.stderr, 40)}`),
        );
    }
    notes.push(
      `promtool test rules: ${tests.length} files, ${covered.size} alerts asserted to fire`,
    );
    if (covered.size < MIN_TESTED_ALERTS) {
      problems.push(
        problem(
          "infra/monitoring/tests",
          `tests cover ${covered.size} alerts; at least ${MIN_TESTED_ALERTS} expected`,
        ),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { problems, notes };
}
