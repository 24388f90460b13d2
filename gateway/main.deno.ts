// Deno entry of the gateway's REST routes: `deno run -A gateway/main.deno.ts`. Elysia cannot
// listen() on Deno, so Deno.serve drives app.fetch; WebSocket routes stay Bun-only (STACK-FACTS §5).
import { openCache } from "../lib/cache/open-cache.ts";
import { bootProcess } from "../lib/process/boot-process.ts";
import { failStart } from "../lib/process/fail-start.ts";
import { createAppFromConfig } from "./app.ts";
import { readGatewayConfig } from "./config.ts";

interface DenoServer {
  shutdown(): Promise<void>;
}
declare const Deno: {
  serve(
    options: { port: number; hostname: string; onListen?: () => void },
    handler: (request: Request, info: { remoteAddr: { hostname: string } }) => Promise<Response>,
  ): DenoServer;
};

const { config, log, readiness, shutdown } = bootProcess("gateway", () => readGatewayConfig());
try {
  const cache = await openCache({ url: config.REDIS_URL, keyPrefix: "eco2:", log });
  readiness.addCheck("redis", () => cache.ping());
  shutdown.add({ name: "cache", phase: "close", run: () => cache.close() });
  const gateway = await createAppFromConfig(config, { log, readiness, cache });
  const server = Deno.serve(
    {
      port: config.PORT,
      hostname: config.BIND_HOST,
      onListen: () => log.info({ port: config.PORT, runtime: "deno" }, "gateway listening"),
    },
    async (request, info) => gateway.fetch(request, info.remoteAddr.hostname),
  );
  // Deno's shutdown() stops accepting and resolves once in-flight requests have been answered.
  shutdown.add({ name: "gateway-http", phase: "stop-accepting", run: () => server.shutdown() });
  shutdown.add({ name: "gateway-clients", phase: "close", run: () => gateway.close() });
} catch (err) {
  await failStart("gateway", err, shutdown);
}
