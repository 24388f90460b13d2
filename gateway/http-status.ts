import { Code, type ConnectError } from "@connectrpc/connect";
import { ERROR_CODE_METADATA } from "../lib/rpc/domain-error.ts";
import { codeName } from "../lib/rpc/errors.ts";

// The one table between gRPC codes and HTTP statuses. PERMISSION_DENIED stays 403 for
// completeness, but services answer NOT_FOUND for other people's resources: the client logs the
// user out on any 403, which the contract reserves for revoked tokens.
const STATUS_BY_CODE: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

// Domain codes whose HTTP status the contract fixes differently from their gRPC code's default.
const STATUS_BY_DOMAIN_CODE: Record<string, number> = {
  NO_CHANGES_PROVIDED: 422,
  INVALID_PHONE_NUMBER: 422,
  // Image intake (CONTRACT §A.11): the storage worker answers INVALID_ARGUMENT for both.
  UNSUPPORTED_MEDIA_TYPE: 415,
  IMAGE_TOO_LARGE: 413,
};

const GENERIC_MESSAGES: Partial<Record<Code, string>> = {
  [Code.Internal]: "internal error",
  [Code.Unknown]: "internal error",
  [Code.DataLoss]: "internal error",
  [Code.Unavailable]: "service unavailable, try again shortly",
  [Code.DeadlineExceeded]: "the service did not answer in time",
  [Code.Canceled]: "request cancelled",
};

export interface HttpErrorBody {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
}

/** codeToHttpStatus maps a gRPC code to the HTTP status the contract uses for it. */
export function codeToHttpStatus(code: Code): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/**
 * httpErrorFromRpc turns a service's error into the contract's error response. Internal details
 * never cross: failures of the machinery rather than of the request get a generic message.
 */
export function httpErrorFromRpc(err: ConnectError): HttpErrorBody {
  const domainCode = err.metadata.get(ERROR_CODE_METADATA);
  const code = domainCode ?? codeName(err.code);
  const status = STATUS_BY_DOMAIN_CODE[code] ?? codeToHttpStatus(err.code);
  // Messages of these codes come from the machinery (stack traces, socket addresses), not from a
  // handler that chose its words, so the client gets a generic one.
  const generic = GENERIC_MESSAGES[err.code];
  if (generic && !domainCode) return { status, code, detail: generic };
  return { status, code, detail: err.rawMessage || code.toLowerCase() };
}
