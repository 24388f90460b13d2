/**
 * Why a vision stage failed. `transient` failures are worth a retry: timeouts, network errors, 429/5xx,
 * and an invalid answer, since a language model may answer within the taxonomy on the next try. A bad
 * image, a missing model or a provider refusing the request (4xx: key, model name) will not change.
 */
export type VisionErrorCode =
  | "bad_image"
  | "model_unavailable"
  | "provider_unavailable"
  | "provider_timeout"
  | "provider_rejected"
  | "invalid_answer";

const TRANSIENT: ReadonlySet<VisionErrorCode> = new Set([
  "provider_unavailable",
  "provider_timeout",
  "invalid_answer",
]);

/** The one error a VisionPort rejects with; the original failure is kept as `cause`. */
export class VisionError extends Error {
  override readonly name = "VisionError";
  readonly code: VisionErrorCode;
  readonly transient: boolean;

  constructor(code: VisionErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.code = code;
    this.transient = TRANSIENT.has(code);
  }
}

/** isVisionError checks the name and shape, so it holds across two copies of this module. */
export function isVisionError(value: unknown): value is VisionError {
  return (
    value instanceof Error &&
    value.name === "VisionError" &&
    typeof (value as { code?: unknown }).code === "string"
  );
}
