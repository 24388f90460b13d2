import { type Code, ConnectError } from "@connectrpc/connect";

/** The metadata key in which a service names its domain error code (e.g. CHAT_NOT_FOUND). */
export const ERROR_CODE_METADATA = "eco2-error-code";

/**
 * domainError is how a handler refuses a request: a gRPC code for the transport and a stable
 * UPPER_SNAKE domain code that the gateway passes to the client as `code`.
 */
export function domainError(code: Code, domainCode: string, message: string): ConnectError {
  return new ConnectError(message, code, { [ERROR_CODE_METADATA]: domainCode });
}
