/**
 * The vision stage's port: one photo (and what the user typed) in, a place in the waste taxonomy out.
 * The embedded detector and the OpenAI-compatible provider both implement it; the scan pipeline sees
 * only this file.
 */

export interface VisionInput {
  /** The image bytes as stored (JPEG, PNG or WebP). */
  readonly image: Uint8Array;
  /** The declared type, e.g. `image/jpeg`. */
  readonly contentType: string;
  /** What the user typed with the photo (Korean or English); refines or overrides the guess. */
  readonly userInput?: string;
  /** The provider model to ask (S1's `model`); the embedded detector ignores it. */
  readonly model?: string;
}

/** A taxonomy place. `middle` equals `major` when the major has no middle level (CONTRACT §3.2). */
export interface Classification {
  readonly major: string;
  readonly middle: string;
  /** A taxonomy item name, or "" when no item could be told. */
  readonly minor: string;
}

/** One object the detector found; `box` is [x1, y1, x2, y2] in pixels of the (EXIF-rotated) photo. */
export interface Detection {
  readonly label: string;
  readonly score: number;
  readonly box: [number, number, number, number];
}

/** What decided the classification. */
export type VisionSource = "detector" | "user_input" | "provider" | "none";

export interface VisionResult {
  readonly classification: Classification;
  readonly situationTags: string[];
  /** 0..1; the detector's score, a fixed 0.9 for a user's own statement, the provider's own estimate. */
  readonly confidence: number;
  /** Every object above the reporting threshold, waste or not, best first (empty for a provider). */
  readonly detections: Detection[];
  /** True when nothing could be classified: the classification is then 미분류/미분류/"". */
  readonly unclassified: boolean;
  /** Korean advice for the user, set when unclassified (retake the photo). */
  readonly advice?: string;
  readonly source: VisionSource;
}

export interface VisionPort {
  /**
   * Classifies one photo. Rejects with a VisionError when the stage fails (undecodable image,
   * provider unreachable, slow or answering outside the taxonomy); the caller retries or fails the job.
   */
  classify(input: VisionInput): Promise<VisionResult>;
  /** Loads what the first call would (the embedded model), so a worker can be ready before work. */
  warmUp(): Promise<void>;
  /** Releases what the implementation holds (the embedded model stays loaded for the process). */
  close(): Promise<void>;
}

/** The major, middle and tag used when nothing could be classified (CONTRACT §3.2). */
export const UNCLASSIFIED = "미분류";
export const UNCLASSIFIED_ALL_TAG = "미분류_전체";
export const UNCLASSIFIED_MINOR_TAG = "미분류_소분류";
