import type { Finding } from "./subagents/types.ts";

export interface Evaluation {
  readonly grade: "A" | "B" | "C" | "D";
  readonly score: number;
  /** How the grade was reached: an embedded heuristic, not an LLM judge. */
  readonly method: "heuristic";
}

/**
 * evaluate grades an answer with an embedded heuristic: how many sub-agents found something
 * (70 %), whether the answer carries their facts' key names (20 %), and a sane length (10 %).
 */
export function evaluate(answer: string, findings: readonly Finding[]): Evaluation {
  const found = findings.filter((f) => f.found).length / Math.max(1, findings.length);
  const keys = findings.flatMap((f) => (f.found ? [f.facts[0]!.slice(0, 12)] : []));
  const carried =
    keys.length === 0 ? 0 : keys.filter((k) => answer.includes(k)).length / keys.length;
  const length = answer.length >= 20 && answer.length <= 2000 ? 1 : 0;
  const score = Math.round((0.7 * found + 0.2 * carried + 0.1 * length) * 100) / 100;
  const grade = score >= 0.85 ? "A" : score >= 0.7 ? "B" : score >= 0.5 ? "C" : "D";
  return { grade, score, method: "heuristic" };
}
