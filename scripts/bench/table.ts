import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** markdownTable renders rows under a header as a GitHub-flavoured markdown table. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** writeResult saves a benchmark's report as bench/results/<name>.md and returns its path. */
export function writeResult(name: string, markdown: string): string {
  const dir = join(import.meta.dirname, "..", "..", "bench", "results");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.md`);
  writeFileSync(path, `${markdown}\n`);
  return path;
}

/** machineNote says where and when a result was measured, for the top of every report. */
export function machineNote(): string {
  const runtime = typeof Bun !== "undefined" ? `Bun ${Bun.version}` : "unknown runtime";
  return `Measured ${new Date().toISOString()} on ${runtime}, ${navigator.hardwareConcurrency} cores. Ratios come from one run, side by side; absolute numbers vary with machine load.`;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString("en-US"),
  ms: (n: number) => `${n.toFixed(2)} ms`,
  ratio: (n: number) => `${n.toFixed(2)}x`,
};

/** median of a list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * alternate measures every target once per round, `rounds` times, starting each round one target
 * further along, so slow drift in machine load (other processes on a shared box) falls on all
 * targets alike. It returns each target's results in round order.
 */
export async function alternate<T, R>(
  targets: readonly T[],
  rounds: number,
  measure: (target: T, round: number) => Promise<R>,
): Promise<R[][]> {
  const results: R[][] = targets.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < targets.length; k++) {
      const i = (round + k) % targets.length;
      results[i]![round] = await measure(targets[i]!, round);
    }
  }
  return results;
}
