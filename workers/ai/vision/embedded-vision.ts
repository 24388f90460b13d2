import type { Logger } from "../../../lib/log/index.ts";
import { decideClassification } from "./decide-classification.ts";
import { DEFAULT_DETECT_OPTIONS, type DetectOptions, detectObjects } from "./detect-objects.ts";
import { type CenternetModel, loadCenternet } from "./load-centernet.ts";
import { VisionError } from "./vision-error.ts";
import type { VisionInput, VisionPort, VisionResult } from "./vision-port.ts";
import { loadWasteTaxonomy } from "./waste-taxonomy.ts";

export interface EmbeddedVisionOptions {
  /** A waste detection must score this much to classify the photo (0.3). */
  readonly minConfidence: number;
  /** Reporting threshold, NMS overlap and count of detections (0.2, 0.4, 20). */
  readonly detect: DetectOptions;
}

const DEFAULTS: EmbeddedVisionOptions = { minConfidence: 0.3, detect: DEFAULT_DETECT_OPTIONS };

/** The image types the storage worker accepts (CONTRACT §A.6). */
const IMAGE_TYPES: ReadonlySet<string> = new Set(["image/jpeg", "image/png", "image/webp"]);

/**
 * createEmbeddedVision is the offline default: the COCO CenterNet shipped in @vladmandic/human on
 * TF.js WASM, its findings mapped onto the waste taxonomy and refined by the user's words. The model
 * loads on first use (or on `warmUp`) and stays loaded for the process; inferences run one at a time.
 */
export function createEmbeddedVision(
  log: Logger,
  options: Partial<EmbeddedVisionOptions> = {},
): VisionPort {
  const settings = { ...DEFAULTS, ...options };
  const taxonomy = loadWasteTaxonomy();
  const model = async (): Promise<CenternetModel> => {
    try {
      return await loadCenternet();
    } catch (error) {
      throw new VisionError("model_unavailable", "the embedded detector did not load", {
        cause: error,
      });
    }
  };
  return {
    async warmUp() {
      const loaded = await model();
      log.info({ loadMs: Math.round(loaded.loadMs) }, "embedded vision model loaded");
    },
    async classify(input: VisionInput): Promise<VisionResult> {
      if (!IMAGE_TYPES.has(input.contentType)) {
        throw new VisionError("bad_image", `unsupported image type ${input.contentType}`);
      }
      const { detections, timings } = await detectObjects(
        await model(),
        input.image,
        settings.detect,
      );
      log.debug({ ...roundAll(timings), found: detections.length }, "vision detections");
      return decideClassification(detections, input.userInput, taxonomy, settings.minConfidence);
    },
    async close() {
      // The model is process-wide and shared; it goes with the process.
    },
  };
}

function roundAll(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Math.round(value)]));
}
