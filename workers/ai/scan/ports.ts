// What the scan pipeline needs from the vision model, whichever runs it (embedded or a provider).

export interface WasteClass {
  readonly major: string;
  readonly middle: string;
  readonly minor: string;
}

export interface VisionResult {
  readonly classification: WasteClass;
  readonly situationTags: readonly string[];
  readonly confidence: number;
  readonly detections: readonly { label: string; score: number; box: readonly number[] }[];
  /** Nothing recognisable: the answer asks for another photo. */
  readonly unclassified: boolean;
  readonly advice?: string;
}

export interface VisionPort {
  classify(input: {
    image: Uint8Array;
    contentType: string;
    userInput?: string;
  }): Promise<VisionResult>;
}
