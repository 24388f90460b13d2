import pino, { type LevelWithSilent, type Logger } from "pino";
import { currentContext } from "../context/request-context.ts";

export type { Logger };

export interface LoggerOptions {
  /** The component name written on every line as `service`. */
  service: string;
  /** Default "info". */
  level?: LevelWithSilent;
  /** Where lines go; default stdout (fd 1). Tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
}

/**
 * createLogger writes JSON lines to stdout with no transports (twelve-factor: the platform routes
 * logs). Each line carries the current request's request_id and trace_id when there is one.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const ctx = currentContext();
        return ctx ? { request_id: ctx.requestId, trace_id: ctx.traceId } : {};
      },
    },
    // sync writes: a process that exits right after logging (config errors, shutdown) loses nothing.
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}
