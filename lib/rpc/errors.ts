import { Code, ConnectError } from "@connectrpc/connect";

/** codeName gives the canonical upper-snake gRPC name of a code, as used in metrics and logs. */
export function codeName(code: Code | undefined): string {
  if (code === undefined) return "OK";
  return (Code[code] ?? "UNKNOWN").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

// Driver error codes that describe the dependency, not a bug: node's socket errors and
// PostgreSQL SQLSTATEs. Anything else unexpected is INTERNAL.
const SOCKET_UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
const SQLSTATE_CODES: Record<string, Code> = {
  "23505": Code.AlreadyExists, // unique_violation
  "23503": Code.FailedPrecondition, // foreign_key_violation
  "40001": Code.Aborted, // serialization_failure
  "40P01": Code.Aborted, // deadlock_detected
  "57014": Code.DeadlineExceeded, // query_canceled (statement_timeout)
  "57P01": Code.Unavailable, // admin_shutdown (pg_terminate_backend)
  "57P03": Code.Unavailable, // cannot_connect_now
  "53300": Code.Unavailable, // too_many_connections
};

// lib/ errors that describe a dependency being away or a bad request, recognised by name so this
// module needs none of them imported.
const NAMED_ERRORS: Record<string, { code: Code; message: string }> = {
  CacheUnavailableError: { code: Code.Unavailable, message: "cache unavailable" },
  BusUnavailableError: { code: Code.Unavailable, message: "message broker unavailable" },
  PublishTimeoutError: { code: Code.Unavailable, message: "message broker did not confirm" },
  BusClosedError: { code: Code.Unavailable, message: "shutting down" },
  InvalidObjectKeyError: { code: Code.InvalidArgument, message: "invalid object key" },
};

/**
 * toConnectError turns anything a handler throws into a ConnectError with a gRPC code. Driver and
 * socket failures map to their codes; other errors become INTERNAL with a generic message, and the
 * original stays as `cause` for the log but never reaches the caller.
 */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const named = err instanceof Error ? NAMED_ERRORS[err.name] : undefined;
  if (named) return new ConnectError(named.message, named.code, undefined, undefined, err);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string") {
    if (SOCKET_UNAVAILABLE.has(code)) {
      return new ConnectError(
        "dependency unavailable",
        Code.Unavailable,
        undefined,
        undefined,
        err,
      );
    }
    const mapped = SQLSTATE_CODES[code];
    if (mapped !== undefined) {
      return new ConnectError(
        codeName(mapped).toLowerCase().replaceAll("_", " "),
        mapped,
        undefined,
        undefined,
        err,
      );
    }
  }
  if (err instanceof Error && err.name === "AbortError") {
    return new ConnectError("operation aborted", Code.Canceled, undefined, undefined, err);
  }
  return new ConnectError("internal error", Code.Internal, undefined, undefined, err);
}

/** isRetryable is true for failures a retry of an idempotent call may cure. */
export function isRetryable(err: unknown): boolean {
  return err instanceof ConnectError && err.code === Code.Unavailable;
}
