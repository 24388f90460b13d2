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
