/**
 * Greedy, class-aware non-maximum suppression. CenterNet's peak extraction already removes most
 * duplicates within a class, but neighbouring peaks of one large object survive it; NMS removes them.
 */

export interface Scored {
  readonly classIndex: number;
  readonly score: number;
  /** [x1, y1, x2, y2]. */
  readonly box: readonly [number, number, number, number];
}

/** intersectionOverUnion of two [x1, y1, x2, y2] boxes; 0 when either has no area. */
export function intersectionOverUnion(
  a: readonly [number, number, number, number],
  b: readonly [number, number, number, number],
): number {
  const width = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const height = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  const union = area(a) + area(b) - intersection;
  return union > 0 ? intersection / union : 0;
}

function area(box: readonly [number, number, number, number]): number {
  return Math.max(0, box[2] - box[0]) * Math.max(0, box[3] - box[1]);
}

/**
 * nonMaxSuppression keeps, best score first, each box that overlaps no kept box of the same class by
 * more than `iouThreshold`, up to `maxKept` boxes. The input is not modified.
 */
export function nonMaxSuppression<T extends Scored>(
  candidates: readonly T[],
  iouThreshold: number,
  maxKept = Number.POSITIVE_INFINITY,
): T[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const candidate of sorted) {
    if (kept.length >= maxKept) break;
    const overlaps = kept.some(
      (other) =>
        other.classIndex === candidate.classIndex &&
        intersectionOverUnion(other.box, candidate.box) > iouThreshold,
    );
    if (!overlaps) kept.push(candidate);
  }
  return kept;
}
