import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import {
  type HealthCheckRequest,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../gen/grpc/health/v1/health_pb.ts";
import type { Readiness } from "../health/readiness.ts";

/** The service name a liveness probe asks for: SERVING while the process runs, whatever its deps. */
export const LIVENESS_SERVICE = "liveness";

const WATCH_INTERVAL_MS = 1000;

/**
 * healthHandlers implements grpc.health.v1.Health over the process's readiness: the empty service
 * name and every hosted service report readiness, "liveness" reports that the process is up, and
 * any other name is NOT_FOUND, as the protocol specifies.
 */
export function healthHandlers(readiness: Readiness, hostedServices: readonly string[]) {
  const known = new Set(["", LIVENESS_SERVICE, ...hostedServices]);

  async function status(service: string): Promise<ServingStatus> {
    if (!known.has(service)) return ServingStatus.SERVICE_UNKNOWN;
    if (service === LIVENESS_SERVICE) return ServingStatus.SERVING;
    const report = await readiness.report();
    return report.ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  }

  return {
    async check(request: HealthCheckRequest) {
      const current = await status(request.service);
      if (current === ServingStatus.SERVICE_UNKNOWN) {
        throw new ConnectError(`unknown service ${request.service}`, Code.NotFound);
      }
      return { status: current };
    },
    async list() {
      const statuses: Record<string, { status: ServingStatus }> = {};
      for (const name of known) statuses[name] = { status: await status(name) };
      return { statuses };
    },
    async *watch(request: HealthCheckRequest, ctx: HandlerContext) {
      let last: ServingStatus | undefined;
      while (!ctx.signal.aborted) {
        const current = await status(request.service);
        if (current !== last) {
          last = current;
          yield { status: current };
        }
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, WATCH_INTERVAL_MS);
          ctx.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve(undefined);
          });
        });
      }
    },
  };
}
