// Deno entry of the gateway's REST routes: `deno run -A gateway/main.deno.ts`. Elysia cannot
// listen() on Deno, so Deno.serve drives app.fetch; WebSocket routes stay Bun-only (STACK-FACTS §5).
import { Readiness } from "../lib/health/readiness.ts";
import { createLogger } from "../lib/log/create-logger.ts";
import { exitOnConfigError } from "../lib/process/run-component.ts";
import { GracefulShutdown } from "../lib/shutdown/graceful-shutdown.ts";
import { createAppFromConfig, fetchWithContext } from "./app.ts";
import { type GatewayConfig, readGatewayConfig } from "./config.ts";

interface DenoServer {
  shutdown(): Promise<void>;
}
declare const Deno: {
  serve(
    options: { port: number; hostname: string; onListen?: () => void },
    handler: (request: Request) => Promise<Response>,
  ): DenoServer;
};

let config: GatewayConfig;
try {
  config = readGatewayConfig();
} catch (err) {
  exitOnConfigError(err, "gateway");
}
const log = createLogger({ service: "gateway", level: config.LOG_LEVEL });
const readiness = new Readiness();
const shutdown = new GracefulShutdown({
  deadlineMs: config.SHUTDOWN_DEADLINE_MS,
  log,
  onBegin: () => readiness.markShuttingDown(),
});
shutdown.listen();
const { app, clients } = createAppFromConfig(config, log, readiness);
const server = Deno.serve(
  {
    port: config.PORT,
    hostname: config.BIND_HOST,
    onListen: () => log.info({ port: config.PORT, runtime: "deno" }, "gateway listening"),
  },
  fetchWithContext(app),
);
// Deno's shutdown() stops accepting and resolves once in-flight requests have been answered.
shutdown.add({ name: "gateway-http", phase: "stop-accepting", run: () => server.shutdown() });
shutdown.add({ name: "gateway-clients", phase: "close", run: () => clients.close() });
