/**
 * ApiError is an error the gateway answers itself (authentication, CSRF, rate limits, bad paths),
 * with the contract's body `{"detail", "code"}`.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof Error && err.name === "ApiError";
}
