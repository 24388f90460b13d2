import { isConfigError } from "../config/read-config.ts";
import { Readiness } from "../health/readiness.ts";
import { createLogger, type Logger } from "../log/create-logger.ts";
import { collectProcessMetrics } from "../metrics/registry.ts";
import { GracefulShutdown } from "../shutdown/graceful-shutdown.ts";
import type { LOG_LEVELS } from "./process-config.ts";

/** exitOnConfigError prints a configuration error as the one line an operator needs, and exits 1. */
export function exitOnConfigError(err: unknown, processName: string): never {
  if (isConfigError(err)) {
    process.stderr.write(`${processName}: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

export interface BootedProcess<C> {
  readonly config: C;
  readonly log: Logger;
  /** The process's own readiness; it turns false the moment shutdown begins. */
  readonly readiness: Readiness;
  /** Listening for SIGTERM and SIGINT already. */
  readonly shutdown: GracefulShutdown;
}

/**
 * bootProcess is how every Eco² process starts: read and validate its configuration (one line and
 * exit 1 when it is wrong), then a JSON logger, process metrics, readiness and the graceful stop.
 */
export function bootProcess<
  C extends { LOG_LEVEL: (typeof LOG_LEVELS)[number]; SHUTDOWN_DEADLINE_MS: number },
>(processName: string, readConfig: () => C): BootedProcess<C> {
  let config: C;
  try {
    config = readConfig();
  } catch (err) {
    exitOnConfigError(err, processName);
  }
  const log = createLogger({ service: processName, level: config.LOG_LEVEL });
  collectProcessMetrics();
  const readiness = new Readiness();
  const shutdown = new GracefulShutdown({
    deadlineMs: config.SHUTDOWN_DEADLINE_MS,
    log,
    onBegin: () => readiness.markShuttingDown(),
  });
  shutdown.listen();
  return { config, log, readiness, shutdown };
}
