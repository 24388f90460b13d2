/**
 * InvalidObjectKeyError: a key that could leave the store's folder or bucket prefix, or that
 * different backends would read differently (absolute, `..`/`.` segments, empty segments,
 * backslashes, control characters such as NUL).
 */
export class InvalidObjectKeyError extends Error {
  override readonly name = "InvalidObjectKeyError";
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid object key ${JSON.stringify(key)}: ${reason}`);
  }
}

/** isInvalidObjectKeyError checks by name, so it holds across duplicate copies of this module. */
export function isInvalidObjectKeyError(err: unknown): err is InvalidObjectKeyError {
  return err instanceof Error && err.name === "InvalidObjectKeyError";
}
