import { ConnectError } from "@connectrpc/connect";
import { Elysia, type ValidationError } from "elysia";
import type { Logger } from "../../lib/log/create-logger.ts";
import { isApiError } from "../api-error.ts";
import { httpErrorFromRpc } from "../http-status.ts";

interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

// The contract keeps FastAPI's 422 shape: {"detail": [{"loc", "msg", "type"}], "code"}.
function validationIssues(error: Readonly<ValidationError>): ValidationIssue[] {
  const where = String(error.type ?? "body");
  return error.all.map((issue) => {
    const path = "path" in issue && typeof issue.path === "string" ? issue.path : "";
    const segments = path
      .split("/")
      .filter(Boolean)
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
    const message = ("summary" in issue && issue.summary) || issue.message || "invalid value";
    return { loc: [where, ...segments], msg: String(message), type: "value_error" };
  });
}

/**
 * errorHandler is the gateway's single error boundary. Every failure leaves as the contract's body
 * `{"detail", "code"}` with the right status: service errors by the gRPC → HTTP table, malformed
 * JSON 400, validation 422 with a detail list, unknown routes 404. Only the gateway's own bugs are
 * 500, and their details are logged, not sent.
 */
export function errorHandler(log: Logger) {
  return new Elysia({ name: "eco2/error-handler" }).onError(
    { as: "global" },
    ({ code, error, set }) => {
      // Elysia wraps whatever a body parser throws; a parser's own refusal keeps its code.
      const refusal = code === "PARSE" && isApiError(error.cause) ? error.cause : error;
      if (isApiError(refusal)) {
        set.status = refusal.status;
        Object.assign(set.headers, refusal.headers);
        return { detail: refusal.detail, code: refusal.code };
      }
      if (error instanceof ConnectError) {
        const body = httpErrorFromRpc(error);
        set.status = body.status;
        if (body.status >= 500 && body.status !== 501 && body.status !== 503) {
          log.error({ err: error }, "service call failed");
        }
        return { detail: body.detail, code: body.code };
      }
      switch (code) {
        case "VALIDATION":
          set.status = 422;
          return { detail: validationIssues(error), code: "VALIDATION_ERROR" };
        case "PARSE":
          set.status = 400;
          return { detail: "request body could not be parsed", code: "INVALID_BODY" };
        case "NOT_FOUND":
          set.status = 404;
          return { detail: "not found", code: "NOT_FOUND" };
        case "INVALID_COOKIE_SIGNATURE":
          set.status = 401;
          return { detail: "invalid cookie signature", code: "INVALID_COOKIE" };
        case "INVALID_FILE_TYPE":
          set.status = 415;
          return { detail: "unsupported file type", code: "UNSUPPORTED_MEDIA_TYPE" };
        default:
          log.error({ err: error }, "unhandled gateway error");
          set.status = 500;
          return { detail: "internal error", code: "INTERNAL_ERROR" };
      }
    },
  );
}
