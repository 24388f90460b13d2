import { describe, expect, it } from "bun:test";
import { GRPC_COMPONENT_NAMES, isWorker } from "../catalog/components.ts";
import { Health, HealthCheckResponse_ServingStatus } from "../gen/grpc/health/v1/health_pb.ts";
import { createRpcClient } from "../lib/rpc/index.ts";
import { freePort, startProcess, waitFor } from "./support/processes.ts";

// Each service and worker must start unchanged under Deno (runtime-neutral lib/, services/ and
// workers/) and answer a gRPC health check; the gateway's REST side runs through Deno.serve.
describe("Deno smoke", () => {
  for (const name of GRPC_COMPONENT_NAMES) {
    const entry = `${isWorker(name) ? "workers" : "services"}/${name}/main.ts`;
    it(`${entry} starts under deno and answers grpc.health.v1`, async () => {
      const grpcPort = await freePort();
      const component = startProcess(
        [entry],
        {
          GRPC_PORT: String(grpcPort),
          METRICS_PORT: String(await freePort()),
          BIND_HOST: "127.0.0.1",
          LOG_LEVEL: "info",
        },
        "deno",
      );
      // The connect client: grpc-js clients lose stream messages on Deno (STACK-FACTS G6).
      const health = createRpcClient(Health, {
        transport: "connect",
        address: `127.0.0.1:${grpcPort}`,
        timeoutMs: 1000,
      });
      try {
        const answer = await waitFor(
          async () => await health.check({ service: "" }),
          60_000,
          `${name} under deno`,
        );
        expect(answer.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
        expect(component.output()).toContain('"component started"');
        component.child.kill("SIGTERM");
        expect((await component.exited).code).toBe(0);
      } finally {
        health.close();
        component.child.kill("SIGKILL");
      }
    }, 90_000);
  }

  it("gateway/main.deno.ts serves /healthz through Deno.serve", async () => {
    const port = await freePort();
    const gateway = startProcess(
      ["gateway/main.deno.ts"],
      { PORT: String(port), BIND_HOST: "127.0.0.1", LOG_LEVEL: "info" },
      "deno",
    );
    try {
      const response = await waitFor(
        async () => {
          const r = await fetch(`http://127.0.0.1:${port}/healthz`);
          return r.ok ? r : undefined;
        },
        60_000,
        "the gateway under deno",
      );
      expect(await response.json()).toEqual({ status: "ok" });
      gateway.child.kill("SIGTERM");
      expect((await gateway.exited).code).toBe(0);
    } finally {
      gateway.child.kill("SIGKILL");
    }
  }, 90_000);
});
