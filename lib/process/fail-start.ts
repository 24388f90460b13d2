// Apart from run-component.ts, so a process without a platform (the gateway) does not load the
// platform's stores (PostgreSQL, the bus, S3) only to report a failed start.
import type { GracefulShutdown } from "../shutdown/graceful-shutdown.ts";
import { ComponentStartError } from "./start-component.ts";

/**
 * failStart prints the one line an operator needs, then stops whatever did start, so nothing is
 * left listening, and exits 1.
 */
export async function failStart(
  processName: string,
  err: unknown,
  shutdown: GracefulShutdown,
): Promise<never> {
  const line = err instanceof ComponentStartError ? err.message : `failed to start: ${String(err)}`;
  process.stderr.write(`${processName}: ${line}\n`);
  await shutdown.fail();
  // shutdown.fail() exits; this line only runs where tests replace exit.
  throw err;
}
