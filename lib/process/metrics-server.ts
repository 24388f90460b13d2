import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readiness } from "../health/readiness.ts";
import { registry } from "../metrics/registry.ts";

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * startMetricsServer serves `/metrics` for Prometheus and `/healthz` and `/readyz` over plain
 * HTTP/1.1 beside a component's gRPC port, for scrapers and probes that do not speak gRPC.
 */
export async function startMetricsServer(options: {
  host?: string;
  port: number;
  readiness: Readiness;
}): Promise<MetricsServer> {
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(await registry.metrics());
    } else if (path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "ok" }));
    } else if (path === "/readyz") {
      const report = await options.readiness.report();
      res.writeHead(report.ready ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify(report));
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ detail: "not found", code: "NOT_FOUND" }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
