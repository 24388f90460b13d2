import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { classifyEmbedded } from "./embedded-classifier.ts";
import { INTENTS, type Intent, sortIntents } from "./intents.ts";

interface Labelled {
  readonly text: string;
  readonly intents: Intent[];
}

function load(file: string): Labelled[] {
  return JSON.parse(readFileSync(new URL(file, import.meta.url), "utf8")).utterances;
}

/** measure: exact-set accuracy, per-intent precision and recall, and the misses, as text. */
function measure(name: string, rows: Labelled[]): number {
  const misses: string[] = [];
  const perIntent = new Map(INTENTS.map((i) => [i, { tp: 0, fp: 0, fn: 0 }]));
  for (const row of rows) {
    const want = sortIntents(row.intents);
    const got = classifyEmbedded(row.text).intents;
    if (want.join() !== got.join()) misses.push(`${row.text}  want ${want} got ${got}`);
    for (const intent of INTENTS) {
      const stats = perIntent.get(intent)!;
      const w = want.includes(intent);
      const g = got.includes(intent);
      if (w && g) stats.tp++;
      else if (g) stats.fp++;
      else if (w) stats.fn++;
    }
  }
  const accuracy = (rows.length - misses.length) / rows.length;
  const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
  const lines = [...perIntent].map(([intent, s]) => {
    const precision = s.tp / Math.max(1, s.tp + s.fp);
    const recall = s.tp / Math.max(1, s.tp + s.fn);
    return `  ${intent.padEnd(17)} n=${String(s.tp + s.fn).padStart(3)}  precision ${pct(precision)}  recall ${pct(recall)}`;
  });
  console.log(
    `${name}: intent accuracy (exact set) ${pct(accuracy)} (${rows.length - misses.length}/${rows.length})\n${lines.join("\n")}${misses.length ? `\n  misses:\n    ${misses.join("\n    ")}` : ""}`,
  );
  return accuracy;
}

const labelled = load("./labelled.json");
const holdout = load("./holdout.json");
const blind = load("./holdout-2.json");

describe("the embedded intent classifier", () => {
  it("has a labelled set of ≥ 200 utterances with known intents, multi-intent ones among them", () => {
    expect(labelled.length).toBeGreaterThanOrEqual(200);
    for (const row of [...labelled, ...holdout]) {
      for (const intent of row.intents) expect(INTENTS).toContain(intent);
    }
    expect(labelled.filter((row) => row.intents.length > 1).length).toBeGreaterThan(15);
  });

  it("classifies ≥ 90 % of the labelled set exactly (every intent, nothing extra)", () => {
    expect(measure("labelled set", labelled)).toBeGreaterThanOrEqual(0.9);
  });

  // The rules were improved while looking at the labelled set. holdout.json was written after; its
  // first measurement (57.6 %) led to broader word lists, so it is no longer blind. holdout-2.json
  // was written after that and never used to tune: its number is the honest estimate.
  it("classifies most held-out utterances exactly", () => {
    expect(measure("held-out set 1 (used once to broaden)", holdout)).toBeGreaterThanOrEqual(0.7);
    expect(measure("held-out set 2 (blind)", blind)).toBeGreaterThanOrEqual(0.6);
  });
});
