// The chat WebSocket's client frames (CONTRACT §A.7): parsing and validation, kept apart from the
// socket so every refusal has one clear code. Nothing here knows the runtime.

import { Type as T } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { ApiError } from "./api-error.ts";
import { messageBody } from "./routes/chat.ts";

const ref = T.Optional(T.String({ maxLength: 100 }));

const messageFrame = T.Composite([
  T.Object({
    type: T.Literal("message"),
    /** Echoed in the frames about this request (`submitted`, `error`), so the client can pair them. */
    ref,
    chat_id: T.String({ format: "uuid" }),
  }),
  messageBody,
]);

const watchFrame = T.Object({
  type: T.Literal("watch"),
  ref,
  job_id: T.String({ minLength: 10, maxLength: 100 }),
  last_event_id: T.Optional(T.String({ maxLength: 64 })),
  last_token_seq: T.Optional(T.Integer({ minimum: 0, maximum: 2_147_483_647 })),
});

const unwatchFrame = T.Object({
  type: T.Literal("unwatch"),
  ref,
  job_id: T.String({ minLength: 1, maxLength: 100 }),
});

const pingFrame = T.Object({ type: T.Literal("ping"), ref });

export type MessageFrame = typeof messageFrame.static;
export type WatchFrame = typeof watchFrame.static;
export type UnwatchFrame = typeof unwatchFrame.static;
export type PingFrame = typeof pingFrame.static;
export type ClientFrame = MessageFrame | WatchFrame | UnwatchFrame | PingFrame;

const CHECKS = {
  message: TypeCompiler.Compile(messageFrame),
  watch: TypeCompiler.Compile(watchFrame),
  unwatch: TypeCompiler.Compile(unwatchFrame),
  ping: TypeCompiler.Compile(pingFrame),
} as const;

export const FRAME_TYPES = Object.keys(CHECKS) as (keyof typeof CHECKS)[];

/** A frame the socket refuses: the socket stays open and the client gets an `error` frame. */
export class FrameError extends ApiError {
  constructor(
    status: number,
    code: string,
    detail: string,
    /** The `ref` of the refused frame, when it could be read. */
    readonly ref?: string,
  ) {
    super(status, code, detail);
  }
}

/**
 * parseClientFrame reads one text frame as a client frame, or throws a FrameError: binary frames,
 * frames over maxBytes, invalid JSON, an unknown `type`, or fields that break the frame's schema.
 */
export function parseClientFrame(raw: string | Uint8Array, maxBytes: number): ClientFrame {
  if (typeof raw !== "string") {
    throw new FrameError(
      415,
      "BINARY_FRAME_UNSUPPORTED",
      "frames are JSON text; binary frames are not read",
    );
  }
  // A UTF-16 length bounds the UTF-8 size from below, so this check is cheap and never too strict.
  if (raw.length > maxBytes || Buffer.byteLength(raw, "utf8") > maxBytes) {
    throw new FrameError(413, "PAYLOAD_TOO_LARGE", `frame over ${maxBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new FrameError(400, "INVALID_JSON", "frame is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FrameError(400, "INVALID_FRAME", "frame must be a JSON object with a type");
  }
  const record = value as Record<string, unknown>;
  const frameRef = typeof record.ref === "string" ? record.ref.slice(0, 100) : undefined;
  const type = record.type;
  if (typeof type !== "string" || !(type in CHECKS)) {
    throw new FrameError(
      400,
      "UNKNOWN_FRAME_TYPE",
      `unknown frame type ${JSON.stringify(type ?? null)}; expected one of ${FRAME_TYPES.join(", ")}`,
      frameRef,
    );
  }
  const check = CHECKS[type as keyof typeof CHECKS];
  if (!check.Check(value)) {
    const issue = check.Errors(value).First();
    const where = issue?.path ? issue.path.slice(1).replaceAll("/", ".") : "frame";
    throw new FrameError(
      422,
      "VALIDATION_ERROR",
      `${where}: ${issue?.message ?? "invalid value"}`,
      frameRef,
    );
  }
  return value as ClientFrame;
}
