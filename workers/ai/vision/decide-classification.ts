import { COCO_LABELS, type CocoLabel } from "./coco-labels.ts";
import { COCO_TO_TAXONOMY, type WasteGuess } from "./coco-taxonomy.ts";
import { matchUserInput } from "./match-user-input.ts";
import {
  type Detection,
  UNCLASSIFIED,
  UNCLASSIFIED_ALL_TAG,
  UNCLASSIFIED_MINOR_TAG,
  type VisionResult,
} from "./vision-port.ts";
import type { TaxonomyTerm, WasteTaxonomy } from "./waste-taxonomy.ts";

/** A user's own statement is trusted this much when the photo does not confirm it. */
export const USER_INPUT_CONFIDENCE = 0.9;

export const RETAKE_ADVICE =
  "사진에서 버릴 물건을 알아보지 못했어요. 물건 하나만 밝은 곳에서 가까이, 배경이 단순하게 다시 찍어 " +
  "주세요. 무엇인지 글로 적어 주셔도 좋아요.";

interface Guess extends WasteGuess {
  readonly score: number;
}

/**
 * decideClassification turns detections and the user's words into a VisionResult. The best waste
 * detection at or above `minConfidence` is the photo's guess; words that name a middle or an item
 * override it (the user holds the object, the detector only sees it), and words that name only a
 * layered major (재활용) are kept only when the photo agrees. With neither, the result is 미분류.
 */
export function decideClassification(
  detections: readonly Detection[],
  userInput: string | undefined,
  taxonomy: WasteTaxonomy,
  minConfidence: number,
): VisionResult {
  const guesses = wasteGuesses(detections, minConfidence);
  const photo = guesses[0];
  const said = userInput ? matchUserInput(userInput, taxonomy) : null;
  const mixed = new Set(guesses.map((guess) => `${guess.major}/${guess.middle}`)).size > 1;
  if (said && said.middle !== null) return fromUserInput(said, photo, detections, mixed);
  if (photo) return fromPhoto(photo, detections, mixed);
  return unclassified(detections);
}

/** wasteGuesses maps confident detections to the taxonomy, best score first. */
function wasteGuesses(detections: readonly Detection[], minConfidence: number): Guess[] {
  const guesses: Guess[] = [];
  for (const detection of detections) {
    if (detection.score < minConfidence || !isCocoLabel(detection.label)) continue;
    const guess = COCO_TO_TAXONOMY[detection.label];
    if (guess) guesses.push({ ...guess, score: detection.score });
  }
  return guesses.sort((a, b) => b.score - a.score);
}

function isCocoLabel(label: string): label is CocoLabel {
  return (COCO_LABELS as readonly string[]).includes(label);
}

function fromPhoto(photo: Guess, detections: readonly Detection[], mixed: boolean): VisionResult {
  return {
    classification: { major: photo.major, middle: photo.middle, minor: photo.minor },
    situationTags: withUncertainty([...photo.tags], photo.minor, mixed),
    confidence: photo.score,
    detections: [...detections],
    unclassified: false,
    source: "detector",
  };
}

function fromUserInput(
  said: TaxonomyTerm,
  photo: Guess | undefined,
  detections: readonly Detection[],
  mixed: boolean,
): VisionResult {
  const middle = said.middle ?? said.major;
  const agrees = photo !== undefined && photo.major === said.major && photo.middle === middle;
  // The photo may know the item when the words named only the middle ("페트병" + a detected bottle).
  const minor = said.minor !== "" ? said.minor : agrees ? photo.minor : "";
  return {
    classification: { major: said.major, middle, minor },
    situationTags: withUncertainty(agrees ? [...photo.tags] : [], minor, mixed),
    confidence: agrees ? Math.max(photo.score, USER_INPUT_CONFIDENCE) : USER_INPUT_CONFIDENCE,
    detections: [...detections],
    unclassified: false,
    source: "user_input",
  };
}

/** Contract §3.2: tag 미분류_소분류 when the item is unsure or several objects compete. */
function withUncertainty(tags: string[], minor: string, mixed: boolean): string[] {
  if (mixed) tags.push("다수_품목_혼합");
  if (minor === "" || mixed) tags.push(UNCLASSIFIED_MINOR_TAG);
  return [...new Set(tags)];
}

function unclassified(detections: readonly Detection[]): VisionResult {
  return {
    classification: { major: UNCLASSIFIED, middle: UNCLASSIFIED, minor: "" },
    situationTags: [UNCLASSIFIED_ALL_TAG],
    confidence: 0,
    detections: [...detections],
    unclassified: true,
    advice: RETAKE_ADVICE,
    source: "none",
  };
}
