import { describe, expect, it } from "bun:test";
import { intersectionOverUnion, nonMaxSuppression } from "./non-max-suppression.ts";

const box = (x1: number, y1: number, x2: number, y2: number) => [x1, y1, x2, y2] as const;

describe("intersectionOverUnion", () => {
  it("is 1 for identical boxes, 0 for disjoint or touching ones", () => {
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(0, 0, 10, 10))).toBe(1);
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(20, 20, 30, 30))).toBe(0);
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(10, 0, 20, 10))).toBe(0);
  });

  it("is intersection over union for partial overlap", () => {
    // 5×10 shared out of 10×10 + 10×10 − 50 = 150.
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(5, 0, 15, 10))).toBeCloseTo(50 / 150);
  });

  it("is 0 when a box has no area", () => {
    expect(intersectionOverUnion(box(5, 5, 5, 5), box(0, 0, 10, 10))).toBe(0);
  });
});

describe("nonMaxSuppression", () => {
  const a = { classIndex: 0, score: 0.9, box: box(0, 0, 100, 100) };
  const aShifted = { classIndex: 0, score: 0.8, box: box(10, 10, 110, 110) }; // IoU ≈ 0.68 with a
  const aFar = { classIndex: 0, score: 0.7, box: box(300, 300, 400, 400) };
  const bSameSpot = { classIndex: 39, score: 0.6, box: box(5, 5, 105, 105) };

  it("drops a weaker same-class box that overlaps a kept one, best first", () => {
    expect(nonMaxSuppression([aFar, aShifted, a], 0.5)).toEqual([a, aFar]);
  });

  it("keeps overlapping boxes of different classes", () => {
    expect(nonMaxSuppression([a, bSameSpot], 0.5)).toEqual([a, bSameSpot]);
  });

  it("keeps an overlap at or below the threshold", () => {
    expect(nonMaxSuppression([a, aShifted], 0.7)).toEqual([a, aShifted]);
  });

  it("stops at maxKept and leaves its input untouched", () => {
    const input = [aFar, a, aShifted, bSameSpot];
    expect(nonMaxSuppression(input, 0.5, 2)).toEqual([a, aFar]);
    expect(input).toEqual([aFar, a, aShifted, bSameSpot]);
  });
});
