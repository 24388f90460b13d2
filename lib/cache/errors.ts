/**
 * CacheUnavailableError: the cache could not be reached or did not answer within the command
 * timeout. Raised at once while disconnected (nothing is queued), so callers can degrade: skip a
 * cache-aside read, or fail the request with UNAVAILABLE.
 */
export class CacheUnavailableError extends Error {
  override readonly name = "CacheUnavailableError";
  constructor(message = "cache unavailable", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** isCacheUnavailableError checks by name, so it holds across duplicate copies of this module. */
export function isCacheUnavailableError(err: unknown): err is CacheUnavailableError {
  return err instanceof Error && err.name === "CacheUnavailableError";
}
