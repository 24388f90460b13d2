import type { Cache } from "../lib/cache/cache.ts";
import type { Readiness } from "../lib/health/readiness.ts";
import type { Logger } from "../lib/log/create-logger.ts";
import type { GracefulShutdown } from "../lib/shutdown/graceful-shutdown.ts";
import { createAppFromConfig } from "./app.ts";
import type { GatewayConfig } from "./config.ts";
import { buildDemoPage } from "./demo-bundle.ts";
import type { DemoAssets } from "./routes/demo.ts";
import type { MediaRouteOptions } from "./routes/media.ts";

export interface RunningGateway {
  readonly port: number;
  readonly inFlight: () => number;
}

/**
 * startGateway serves the gateway with Bun.serve and registers its graceful stop: refuse new
 * connections, let every accepted request finish, then close the service clients.
 */
export async function startGateway(options: {
  config: GatewayConfig;
  log: Logger;
  readiness: Readiness;
  shutdown: GracefulShutdown;
  /** Revocation log and rate-limit windows (Redis in a cluster). */
  cache: Cache;
  host?: string;
  /** The local object store to serve at /media/, when objects do not live in S3. */
  media?: MediaRouteOptions;
}): Promise<RunningGateway> {
  const { config, log, readiness, shutdown, cache } = options;
  const gateway = await createAppFromConfig(config, {
    log,
    readiness,
    cache,
    media: options.media,
    demo: await demoAssets(config),
  });
  shutdown.add({ name: "gateway-clients", phase: "close", run: () => gateway.close() });
  const handle = gateway.fetch;
  let inFlight = 0;
  let accepted = 0;
  let completed = 0;
  let drained: (() => void) | undefined;
  const server = Bun.serve({
    hostname: options.host ?? config.BIND_HOST,
    port: config.PORT,
    // Bun's own cap is the larger upload limit; API routes enforce MAX_BODY_BYTES themselves.
    maxRequestBodySize: Math.max(config.MAX_BODY_BYTES, config.MAX_UPLOAD_BYTES),
    // Bun closes a connection silent for 10 s by default; an event stream sends a keepalive
    // only every 15 s, so the limit must be above that.
    idleTimeout: 40,
    fetch(request, server) {
      inFlight++;
      accepted++;
      const settle = () => {
        inFlight--;
        completed++;
        if (inFlight === 0) drained?.();
      };
      // Not async: a response the app made synchronously goes out without a promise.
      let answer: Response | Promise<Response>;
      try {
        answer = handle(request, () => server.requestIP(request)?.address);
      } catch (err) {
        settle();
        throw err;
      }
      if (!(answer instanceof Promise)) {
        settle();
        return answer;
      }
      return answer.finally(settle);
    },
  });
  shutdown.add({
    name: "gateway-http",
    phase: "stop-accepting",
    run: async () => {
      // stop(false) closes the listener and idle connections; requests already accepted finish.
      const stopped = server.stop(false);
      const waiting = inFlight;
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      await stopped;
      // A handler that has returned may still be writing its response; Bun counts it as pending
      // until the bytes are out, and exiting earlier would cut it off.
      while (server.pendingRequests > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      log.info(
        { accepted_requests: accepted, completed_requests: completed, drained_requests: waiting },
        "gateway drained",
      );
    },
  });
  log.info({ port: server.port }, "gateway listening");
  return { port: server.port ?? config.PORT, inFlight: () => inFlight };
}

/** demoAssets builds the demo page when DEMO_PAGE asks for it; otherwise / stays a 404. */
export function demoAssets(
  config: Pick<GatewayConfig, "DEMO_PAGE">,
): Promise<DemoAssets | undefined> {
  return config.DEMO_PAGE ? buildDemoPage() : Promise.resolve(undefined);
}
