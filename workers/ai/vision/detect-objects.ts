import { COCO_LABELS } from "./coco-labels.ts";
import { decodeCenternet } from "./decode-centernet.ts";
import type { CenternetModel } from "./load-centernet.ts";
import { nonMaxSuppression } from "./non-max-suppression.ts";
import { prepareImage } from "./prepare-image.ts";
import type { Detection } from "./vision-port.ts";

export interface DetectOptions {
  /** Detections below this score are not reported (0.2, as @vladmandic/human uses for this model). */
  readonly minScore: number;
  /** Same-class boxes overlapping more than this are duplicates (0.4). */
  readonly iouThreshold: number;
  /** At most this many detections are reported (20). */
  readonly maxDetections: number;
}

export const DEFAULT_DETECT_OPTIONS: DetectOptions = {
  minScore: 0.2,
  iouThreshold: 0.4,
  maxDetections: 20,
};

export interface DetectOutcome {
  readonly detections: Detection[];
  /** Decode + resize, forward pass, and post-processing, in milliseconds. */
  readonly timings: {
    readonly prepareMs: number;
    readonly inferenceMs: number;
    readonly decodeMs: number;
  };
}

/** detectObjects finds COCO objects in a photo; boxes are in the photo's (oriented) pixels. */
export async function detectObjects(
  model: CenternetModel,
  image: Uint8Array,
  options: DetectOptions = DEFAULT_DETECT_OPTIONS,
): Promise<DetectOutcome> {
  const t0 = performance.now();
  const prepared = await prepareImage(image, model.inputSize);
  const t1 = performance.now();
  const { heads } = await model.run(prepared.pixels);
  const t2 = performance.now();
  const candidates = decodeCenternet(heads, {
    stride: model.stride,
    minScore: options.minScore,
    maxDetections: 100,
  });
  const kept = nonMaxSuppression(candidates, options.iouThreshold, options.maxDetections);
  const detections = kept.map((raw) => ({
    label: COCO_LABELS[raw.classIndex] ?? `class ${raw.classIndex}`,
    score: round(raw.score, 3),
    box: toPhotoBox(raw.box, prepared.scale, prepared.width, prepared.height),
  }));
  const t3 = performance.now();
  return {
    detections,
    timings: { prepareMs: t1 - t0, inferenceMs: t2 - t1, decodeMs: t3 - t2 },
  };
}

function toPhotoBox(
  box: readonly [number, number, number, number],
  scale: number,
  width: number,
  height: number,
): [number, number, number, number] {
  const clamp = (value: number, max: number) =>
    Math.round(Math.min(Math.max(value * scale, 0), max));
  return [clamp(box[0], width), clamp(box[1], height), clamp(box[2], width), clamp(box[3], height)];
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
