// Bun entry of the gateway: `bun gateway/main.ts`. It calls the services at their *_ADDR.
import { Readiness } from "../lib/health/readiness.ts";
import { createLogger } from "../lib/log/create-logger.ts";
import { collectProcessMetrics } from "../lib/metrics/registry.ts";
import { exitOnConfigError } from "../lib/process/run-component.ts";
import { GracefulShutdown } from "../lib/shutdown/graceful-shutdown.ts";
import { type GatewayConfig, readGatewayConfig } from "./config.ts";
import { startGateway } from "./server.ts";

let config: GatewayConfig;
try {
  config = readGatewayConfig();
} catch (err) {
  exitOnConfigError(err, "gateway");
}
const log = createLogger({ service: "gateway", level: config.LOG_LEVEL });
collectProcessMetrics();
const readiness = new Readiness();
const shutdown = new GracefulShutdown({
  deadlineMs: config.SHUTDOWN_DEADLINE_MS,
  log,
  onBegin: () => readiness.markShuttingDown(),
});
shutdown.listen();
startGateway({ config, log, readiness, shutdown });
