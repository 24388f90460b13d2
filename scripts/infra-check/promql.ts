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
