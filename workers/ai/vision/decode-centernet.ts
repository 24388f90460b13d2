/**
 * Decoding of CenterNet's raw heads (MB3-CenterNet as shipped in @vladmandic/human, 512×512 input,
 * output stride 4): `keypoints` is a sigmoid heat map [1, H, W, C] with one channel per COCO class,
 * `wh` is [1, H, W, 4] holding each cell's distances to the box's left, top, right and bottom edges in
 * input pixels. An object is a local maximum of its class channel over the 3×3 neighbourhood (the
 * max-pool trick that replaces NMS inside CenterNet); its box is the cell centre minus/plus the
 * distances. The graph's own `detections` output does the same; a test checks the two agree.
 */

export interface RawDetection {
  readonly classIndex: number;
  readonly score: number;
  /** [x1, y1, x2, y2] in model-input pixels. */
  readonly box: [number, number, number, number];
}

export interface CenternetHeads {
  readonly heatmap: Float32Array;
  readonly wh: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly classes: number;
}

export interface DecodeOptions {
  /** Input pixels per heat-map cell; 4 for this model. */
  readonly stride: number;
  /** Peaks below this score are dropped. */
  readonly minScore: number;
  /** At most this many peaks are kept, best first (the graph keeps 100). */
  readonly maxDetections: number;
}

/** decodeCenternet turns the two raw heads into boxes in model-input pixels, best first. */
export function decodeCenternet(heads: CenternetHeads, options: DecodeOptions): RawDetection[] {
  const peaks: { cell: number; classIndex: number; score: number }[] = [];
  const { heatmap, classes } = heads;
  for (let i = 0; i < heatmap.length; i++) {
    const score = heatmap[i]!;
    if (score < options.minScore) continue;
    const cell = Math.floor(i / classes);
    const classIndex = i % classes;
    if (isLocalMaximum(heads, cell, classIndex, score)) peaks.push({ cell, classIndex, score });
  }
  peaks.sort((a, b) => b.score - a.score);
  return peaks.slice(0, options.maxDetections).map((peak) => ({
    classIndex: peak.classIndex,
    score: peak.score,
    box: boxAt(heads, peak.cell, options.stride),
  }));
}

/** Equal neighbours count as maxima, as `keypoints == maxpool(keypoints)` does in the graph. */
function isLocalMaximum(
  heads: CenternetHeads,
  cell: number,
  classIndex: number,
  score: number,
): boolean {
  const { width, height, classes, heatmap } = heads;
  const y = Math.floor(cell / width);
  const x = cell % width;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const ny = y + dy;
      const nx = x + dx;
      if ((dx === 0 && dy === 0) || ny < 0 || nx < 0 || ny >= height || nx >= width) continue;
      if (heatmap[(ny * width + nx) * classes + classIndex]! > score) return false;
    }
  }
  return true;
}

function boxAt(
  heads: CenternetHeads,
  cell: number,
  stride: number,
): [number, number, number, number] {
  const cx = (cell % heads.width) * stride;
  const cy = Math.floor(cell / heads.width) * stride;
  const at = cell * 4;
  const { wh } = heads;
  return [cx - wh[at]!, cy - wh[at + 1]!, cx + wh[at + 2]!, cy + wh[at + 3]!];
}
