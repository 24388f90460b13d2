import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { RETAKE_ADVICE } from "./decide-classification.ts";
import { VisionError } from "./vision-error.ts";
import { UNCLASSIFIED, UNCLASSIFIED_ALL_TAG, type VisionResult } from "./vision-port.ts";
import { isValidPlace, type WasteTaxonomy } from "./waste-taxonomy.ts";

/**
 * The structured answer asked of a provider: CONTRACT §3.2's classification and tags, plus the
 * model's own confidence. Sent as the `json_schema` response format (strict: every field required,
 * no others), and checked again on arrival because not every compatible server enforces it.
 */
export const VisionAnswer = Type.Object(
  {
    classification: Type.Object(
      {
        major_category: Type.String(),
        middle_category: Type.String(),
        minor_category: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    situation_tags: Type.Array(Type.String()),
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
  },
  { additionalProperties: false },
);
export type VisionAnswer = Static<typeof VisionAnswer>;

/** The JSON Schema sent to the provider (TypeBox schemas are JSON Schema; this drops its symbols). */
export function visionAnswerJsonSchema(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(VisionAnswer));
}

/**
 * parseVisionAnswer checks a provider's message text against the schema and the taxonomy and turns
 * it into a VisionResult; anything else is a VisionError `invalid_answer` (a failed stage).
 */
export function parseVisionAnswer(content: string, taxonomy: WasteTaxonomy): VisionResult {
  const answer = parseJson(content);
  if (!Value.Check(VisionAnswer, answer)) {
    const first = [...Value.Errors(VisionAnswer, answer)][0];
    throw invalid(`the answer does not fit the schema at ${first?.path || "/"}: ${first?.message}`);
  }
  const place = {
    major: answer.classification.major_category,
    middle: answer.classification.middle_category,
    minor: answer.classification.minor_category ?? "",
  };
  if (!isValidPlace(taxonomy, place, true)) {
    throw invalid(`the answer names no taxonomy place: ${place.major} > ${place.middle}`);
  }
  const unknown = answer.situation_tags.filter((tag) => !taxonomy.tags.has(tag));
  if (unknown.length > 0)
    throw invalid(`the answer has unknown situation tags: ${unknown.join(", ")}`);
  return toResult(place, answer);
}

function toResult(
  place: { major: string; middle: string; minor: string },
  answer: VisionAnswer,
): VisionResult {
  const unclassified = place.major === UNCLASSIFIED;
  const tags = [...new Set(answer.situation_tags)];
  if (unclassified && !tags.includes(UNCLASSIFIED_ALL_TAG)) tags.push(UNCLASSIFIED_ALL_TAG);
  return {
    classification: unclassified ? { major: UNCLASSIFIED, middle: UNCLASSIFIED, minor: "" } : place,
    situationTags: tags,
    confidence: unclassified ? 0 : answer.confidence,
    detections: [],
    unclassified,
    ...(unclassified ? { advice: RETAKE_ADVICE } : {}),
    source: "provider",
  };
}

function parseJson(content: string): unknown {
  try {
    return JSON.parse(content);
  } catch (error) {
    throw invalid("the answer is not JSON", error);
  }
}

function invalid(message: string, cause?: unknown): VisionError {
  return new VisionError("invalid_answer", message, { cause });
}
