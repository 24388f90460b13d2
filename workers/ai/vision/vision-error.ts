/** Why a vision stage failed; `transient` failures are worth a retry (timeouts, 5xx, network). */
export type VisionErrorCode =
  | "bad_image"
  | "model_unavailable"
  | "provider_unavailable"
  | "provider_timeout"
  | "invalid_answer";

const TRANSIENT: ReadonlySet<VisionErrorCode> = new Set([
  "provider_unavailable",
  "provider_timeout",
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
