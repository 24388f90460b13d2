// Parses PromQL with the Prometheus project's own Lezer grammar and lists the metric names an
// expression selects, so rules and dashboards can be checked without a Prometheus server.
import { parser } from "@prometheus-io/lezer-promql";
import { isKnownMetric } from "./metrics.ts";

export interface PromqlReport {
  errors: string[];
  metrics: string[];
}

export function analyse(expr: string): PromqlReport {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const metrics = new Set<string>();
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) {
        const near = expr.slice(Math.max(0, node.from - 15), node.to + 15).replace(/\s+/g, " ");
        errors.push(`syntax error at offset ${node.from} near "${near}"`);
      }
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") {
        metrics.add(expr.slice(node.from, node.to));
      }
    },
  });
  return { errors, metrics: [...metrics] };
}

/** Problems with one expression: syntax errors and metric names nothing exports. */
export function checkExpr(expr: string): string[] {
  const { errors, metrics } = analyse(expr);
  const unknown = metrics.filter((m) => !isKnownMetric(m)).map((m) => `unknown metric "${m}"`);
  return [...errors, ...unknown];
}

export interface Matcher {
  metric: string;
  label: string;
  op: string;
  value: string;
}

/** Every `label op "value"` inside a selector, with the metric it selects. */
export function matchers(expr: string): Matcher[] {
  const out: Matcher[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name !== "UnquotedLabelMatcher") return;
      const sel = node.node.parent?.parent;
      const id = sel?.getChild("Identifier");
      const label = node.node.getChild("LabelName");
      const op = node.node.getChild("MatchOp");
      const lit = node.node.getChild("StringLiteral");
      if (!label || !op || !lit) return;
      out.push({
        metric: id ? expr.slice(id.from, id.to) : "",
        label: expr.slice(label.from, label.to),
        op: expr.slice(op.from, op.to),
        value: expr.slice(lit.from + 1, lit.to - 1),
      });
    },
  });
  return out;
}
