import { Elysia, t } from "elysia";
import {
  GRPC_COMPONENT_NAMES,
  type GrpcComponentName,
  isWorker,
} from "../../catalog/components.ts";
import { HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.ts";
import type { Readiness } from "../../lib/health/readiness.ts";
import { registry } from "../../lib/metrics/registry.ts";
import type { ServiceClients } from "../clients.ts";

const PROBE_TIMEOUT_MS = 1000;

const componentState = t.Union([
  t.Literal("SERVING"),
  t.Literal("NOT_SERVING"),
  t.Literal("UNREACHABLE"),
]);
type ComponentState = typeof componentState.static;

const readyBody = t.Object({
  status: t.Union([t.Literal("ready"), t.Literal("not_ready")]),
  services: t.Record(t.String(), componentState),
  workers: t.Record(t.String(), componentState),
  gateway: t.Object({
    ready: t.Boolean(),
    shutting_down: t.Boolean(),
    dependencies: t.Record(
      t.String(),
      t.Object({ ok: t.Boolean(), detail: t.Optional(t.String()) }),
    ),
  }),
});

async function probe(clients: ServiceClients, name: GrpcComponentName): Promise<ComponentState> {
  try {
    const answer = await clients.health[name].check(
      { service: "" },
      { timeoutMs: PROBE_TIMEOUT_MS },
    );
    return answer.status === ServingStatus.SERVING ? "SERVING" : "NOT_SERVING";
  } catch {
    return "UNREACHABLE";
  }
}

/**
 * opsRoutes are the operations endpoints: liveness (the process answers), readiness (every service
 * and worker answers its gRPC health check and the gateway is not stopping) and Prometheus metrics.
 */
export function opsRoutes(clients: ServiceClients, readiness: Readiness) {
  return new Elysia({ name: "eco2/ops", detail: { tags: ["operations"] } })
    .get("/healthz", () => ({ status: "ok" as const }), {
      detail: { summary: "Liveness: the gateway process answers" },
      response: t.Object({ status: t.Literal("ok") }),
    })
    .get(
      "/readyz",
      async ({ set }) => {
        const names = GRPC_COMPONENT_NAMES;
        const [own, ...states] = await Promise.all([
          readiness.report(),
          ...names.map((name) => probe(clients, name)),
        ]);
        const services: Record<string, ComponentState> = {};
        const workers: Record<string, ComponentState> = {};
        names.forEach((name, i) => {
          (isWorker(name) ? workers : services)[name] = states[i]!;
        });
        const ready = own.ready && states.every((state) => state === "SERVING");
        set.status = ready ? 200 : 503;
        return {
          status: ready ? ("ready" as const) : ("not_ready" as const),
          services,
          workers,
          gateway: {
            ready: own.ready,
            shutting_down: own.shuttingDown,
            dependencies: own.checks,
          },
        };
      },
      {
        detail: { summary: "Readiness: every service and worker is serving" },
        response: { 200: readyBody, 503: readyBody },
      },
    )
    .get(
      "/metrics",
      async ({ set }) => {
        set.headers["content-type"] = registry.contentType;
        return registry.metrics();
      },
      { detail: { summary: "Prometheus metrics" } },
    );
}
