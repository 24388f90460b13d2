import { describe, expect, it } from "bun:test";
import { type CenternetHeads, decodeCenternet } from "./decode-centernet.ts";

/** Synthetic heads: an H×W×C heat map of zeros with the given peaks, and wh per cell. */
function heads(
  size: number,
  classes: number,
  peaks: { x: number; y: number; c: number; score: number; wh: [number, number, number, number] }[],
): CenternetHeads {
  const heatmap = new Float32Array(size * size * classes);
  const wh = new Float32Array(size * size * 4);
  for (const peak of peaks) {
    const cell = peak.y * size + peak.x;
    heatmap[cell * classes + peak.c] = peak.score;
    wh.set(peak.wh, cell * 4);
  }
  return { heatmap, wh, height: size, width: size, classes };
}

const options = { stride: 4, minScore: 0.1, maxDetections: 100 };

describe("decodeCenternet", () => {
  it("turns a peak into its cell centre minus/plus the left, top, right, bottom distances", () => {
    const decoded = decodeCenternet(
      heads(16, 3, [{ x: 5, y: 7, c: 2, score: 0.8, wh: [6, 8, 10, 12] }]),
      options,
    );
    // Centre (20, 28) in input pixels.
    expect(decoded).toEqual([
      { classIndex: 2, score: expect.closeTo(0.8, 5), box: [14, 20, 30, 40] },
    ]);
  });

  it("keeps only the local maximum of a class among its 3×3 neighbours", () => {
    const decoded = decodeCenternet(
      heads(16, 2, [
        { x: 5, y: 5, c: 0, score: 0.9, wh: [1, 1, 1, 1] },
        { x: 6, y: 6, c: 0, score: 0.5, wh: [1, 1, 1, 1] }, // neighbour, same class: dropped
        { x: 6, y: 6, c: 1, score: 0.4, wh: [1, 1, 1, 1] }, // same cell, other class: kept
        { x: 8, y: 5, c: 0, score: 0.3, wh: [1, 1, 1, 1] }, // two cells away: kept
      ]),
      options,
    );
    expect(decoded.map((d) => [d.classIndex, Math.round(d.score * 10)])).toEqual([
      [0, 9],
      [1, 4],
      [0, 3],
    ]);
  });

  it("drops peaks below minScore, handles the borders and caps the count, best first", () => {
    const decoded = decodeCenternet(
      heads(8, 1, [
        { x: 0, y: 0, c: 0, score: 0.7, wh: [0, 0, 2, 2] },
        { x: 7, y: 7, c: 0, score: 0.6, wh: [2, 2, 0, 0] },
        { x: 4, y: 0, c: 0, score: 0.05, wh: [1, 1, 1, 1] },
      ]),
      { ...options, maxDetections: 1 },
    );
    expect(decoded).toEqual([{ classIndex: 0, score: expect.closeTo(0.7, 5), box: [0, 0, 2, 2] }]);
  });
});
