// Deno entry of the gateway's REST routes: `deno run -A gateway/main.deno.ts`. Elysia cannot
// listen() on Deno, so Deno.serve drives app.fetch; WebSocket routes stay Bun-only (STACK-FACTS §5).
import { bootProcess } from "../lib/process/boot-process.ts";
import { createAppFromConfig, fetchWithContext } from "./app.ts";
import { readGatewayConfig } from "./config.ts";

interface DenoServer {
  shutdown(): Promise<void>;
}
declare const Deno: {
  serve(
    options: { port: number; hostname: string; onListen?: () => void },
    handler: (request: Request) => Promise<Response>,
  ): DenoServer;
};

const { config, log, readiness, shutdown } = bootProcess("gateway", () => readGatewayConfig());
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
